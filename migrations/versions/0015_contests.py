"""contests: short contests between partners, teams or people, and their frozen results

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('min_people', sa.Integer(), nullable=True),
    sa.Column('board', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_contests_organiser_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_contests_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contests'))
    )
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contests_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_contests_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contests_partner_id'), ['partner_id'], unique=False)

    op.create_table('contest_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_entries_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_contest_entries_partner_id_partners')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_contest_entries_team_id_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contest_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_entries'))
    )
    with op.batch_alter_table('contest_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_entries_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contest_entries_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contest_entries_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contest_entries_user_id'), ['user_id'], unique=False)

    op.create_table('contest_standings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('numerator', sa.Float(), nullable=False),
    sa.Column('denominator', sa.Float(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('rate', sa.Float(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_standings_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['contest_entries.id'], name=op.f('fk_contest_standings_entry_id_contest_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_standings')),
    sa.UniqueConstraint('contest_id', 'entry_id', name=op.f('uq_contest_standings_contest_id'))
    )
    with op.batch_alter_table('contest_standings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contest_standings_contest_id'), ['contest_id'], unique=False)


def downgrade():
    op.drop_table('contest_standings')
    op.drop_table('contest_entries')
    op.drop_table('contests')
