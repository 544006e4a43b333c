"""accounts: session versions, lockout, two-factor login, token scopes and expiry,
password resets, hashed calendar feed tokens

Revision ID: 0012_accounts
Revises: 0010_worker
Create Date: 2026-12-01 10:25:00

The users table only gains columns (ALTER TABLE ... ADD COLUMN, also on SQLite): a batch
rebuild of ``users`` on SQLite drops the old table, and with foreign keys on that fires
the ON DELETE CASCADE / SET NULL of every table pointing at users (staff, enrolments).
"""
import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import trainings.db  # noqa: F401  (UTCDateTime columns)

# revision identifiers, used by Alembic.
revision = '0012_accounts'
down_revision = "0010_worker"
branch_labels = None
depends_on = None

USER_COLUMNS = ('calendar_feed_nonce', 'session_version', 'failed_logins', 'locked_until',
                'totp_secret', 'totp_last_step')


def upgrade():
    op.add_column('users', sa.Column('calendar_feed_nonce', sa.String(length=32), nullable=True))
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default='1',
                                     nullable=False))
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), server_default='0',
                                     nullable=False))
    op.add_column('users', sa.Column('locked_until', trainings.db.UTCDateTime(timezone=True),
                                     nullable=True))
    op.add_column('users', sa.Column('totp_secret', sa.String(length=255), nullable=True))
    op.add_column('users', sa.Column('totp_last_step', sa.Integer(), nullable=True))

    # Calendar feed tokens: the column now holds the digest. The links handed out so far
    # keep working (without a nonce the page cannot show them again; a new link shows).
    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('calendar_token', sa.String))
    rows = connection.execute(sa.select(users.c.id, users.c.calendar_token)
                              .where(users.c.calendar_token.is_not(None))).all()
    for user_id, token in rows:
        connection.execute(users.update().where(users.c.id == user_id).values(
            calendar_token=hashlib.sha256(token.encode()).hexdigest()))

    # api_tokens is pointed at by no table: rebuilding it on SQLite is safe.
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=10), server_default='write',
                                      nullable=False))
        batch_op.add_column(sa.Column('expires_at', trainings.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_api_tokens_scope_known'),
                                         "scope IN ('read', 'write')")
    # Tokens made before had no end: they now expire in 90 days (API_TOKEN_DAYS).
    tokens = sa.table('api_tokens', sa.column('expires_at', trainings.db.UTCDateTime(timezone=True)))
    connection.execute(tokens.update().values(expires_at=datetime.now(UTC) + timedelta(days=90)))

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', trainings.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', trainings.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
    op.drop_table('password_resets')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_scope_known'), type_='check')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scope')
    # Only digests are kept: the feeds' tokens cannot come back, so feeds start anew.
    op.execute("UPDATE users SET calendar_token = NULL")
    # Plain DROP COLUMN (SQLite 3.35+ too): no rebuild of users (see the docstring).
    for column in reversed(USER_COLUMNS):
        op.execute(f"ALTER TABLE users DROP COLUMN {column}")
