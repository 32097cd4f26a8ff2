"""name keys: people, partners and teams sort by pinyin (a sort key kept with the name)

Revision ID: 0010
Revises: 0009

"""
from alembic import op
import sqlalchemy as sa

from portal.core.collation import sort_key


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# table, name column, read as a person's name (surnames)
NAMED = (('users', 'display_name', True), ('partners', 'name', False),
         ('teams', 'name', False))


def upgrade():
    # Added NOT NULL with an empty default and filled in place: no table rebuild, which
    # SQLite cannot do for users while other tables' rows point at them.
    connection = op.get_bind()
    for table, column, person in NAMED:
        op.add_column(table, sa.Column('name_key', sa.String(length=512), nullable=False,
                                       server_default=''))
        rows = connection.execute(sa.text(f'SELECT id, {column} FROM {table}')).all()
        if rows:
            connection.execute(
                sa.text(f'UPDATE {table} SET name_key = :key WHERE id = :id'),
                [{'id': row[0], 'key': sort_key(row[1], person=person)} for row in rows])
        if connection.dialect.name != 'sqlite':
            op.alter_column(table, 'name_key', server_default=None)
        if table != 'teams':
            op.create_index(op.f(f'ix_{table}_name_key'), table, ['name_key'], unique=False)


def downgrade():
    for table, _column, _person in reversed(NAMED):
        if table != 'teams':
            op.drop_index(op.f(f'ix_{table}_name_key'), table_name=table)
        op.drop_column(table, 'name_key')
