"""rate limits: fixed-window counters shared by every worker

Revision ID: 0014_rate_limits
Revises: 0006_evaluation
Create Date: 2026-12-01 10:05:00

"""
from alembic import op
import sqlalchemy as sa

import trainings.db  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '0014_rate_limits'
down_revision = '0006_evaluation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limits',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_rate_limits_count_positive')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limits'))
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limits_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limits_expires_at'))
    op.drop_table('rate_limits')
