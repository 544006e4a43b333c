"""rate limits unlogged: PostgreSQL keeps the counters out of its write-ahead log

A counter is written by every limited request (the verification page); it needs no crash
safety (after a crash a window starts again), so on PostgreSQL the table is UNLOGGED: a hit
no longer waits for the log to be flushed. Nothing changes on SQLite.

Revision ID: 0018_rate_limits_unlogged
Revises: 0017_data_version
Create Date: 2026-12-02 01:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_rate_limits_unlogged'
down_revision = '0017_data_version'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE rate_limits SET UNLOGGED')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE rate_limits SET LOGGED')
