"""exam nudges: an owner's or team lead's reminder about an open sitting, per scope

Revision ID: 0009
Revises: 0008

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exam_nudges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('sent_by', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_exam_nudges_partner_id_partners')),
    sa.ForeignKeyConstraint(['sent_by'], ['users.id'], name=op.f('fk_exam_nudges_sent_by_users')),
    sa.ForeignKeyConstraint(['sitting_id'], ['exam_sittings.id'], name=op.f('fk_exam_nudges_sitting_id_exam_sittings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_exam_nudges_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_nudges'))
    )
    with op.batch_alter_table('exam_nudges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_nudges_sitting_id'), ['sitting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exam_nudges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_nudges_sitting_id'))

    op.drop_table('exam_nudges')
