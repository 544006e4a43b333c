"""unmatched rows: the rows of an applied meeting report that matched no participant

Revision ID: 0016_unmatched_rows
Revises: 0015_dashboards
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_unmatched_rows'
down_revision = '0015_dashboards'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendance_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unmatched', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('unmatched_open', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('attendance_imports', schema=None) as batch_op:
        batch_op.drop_column('unmatched_open')
        batch_op.drop_column('unmatched')
