"""dashboards: the stored figures of each programme's dashboard, with a version

Revision ID: 0015_dashboards
Revises: 0007_gatherings
Create Date: 2026-12-01 13:05:00

"""
from alembic import op
import sqlalchemy as sa

import trainings.db  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '0015_dashboards'
down_revision = '0007_gatherings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_dashboards',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('computed_version', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('computed_at', trainings.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                            name=op.f('fk_programme_dashboards_programme_id_programmes'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_programme_dashboards'))
    )


def downgrade():
    op.drop_table('programme_dashboards')
