"""reports: generated reports with their checksums and progress, and their downloads

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:18:56.510506

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Date(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('base_url', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('pack', sa.String(length=20), nullable=True),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=True),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_bytes', sa.Integer(), nullable=True),
    sa.Column('pdf_pages', sa.Integer(), nullable=True),
    sa.Column('csv_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_reports_partner_id_partners')),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_reports_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('code', name=op.f('uq_reports_code'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_partner_requested', ['partner_id', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_pdf_sha256'), ['pdf_sha256'], unique=False)
        batch_op.create_index('ix_reports_requester_requested', ['requested_by', 'requested_at'], unique=False)
        batch_op.create_index('ix_reports_state_requested', ['state', 'requested_at'], unique=False)

    op.create_table('report_downloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('format', sa.String(length=3), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_downloads_report_id_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_downloads_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_downloads'))
    )
    with op.batch_alter_table('report_downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_downloads_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_downloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_downloads_report_id'))

    op.drop_table('report_downloads')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_state_requested')
        batch_op.drop_index('ix_reports_requester_requested')
        batch_op.drop_index(batch_op.f('ix_reports_pdf_sha256'))
        batch_op.drop_index('ix_reports_partner_requested')

    op.drop_table('reports')
