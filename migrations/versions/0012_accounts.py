"""accounts: session versions, lockout, two-factor login, token scopes and expiry,
password resets, hashed calendar feed tokens

Revision ID: 0012_accounts
Revises: 0006_networks
Create Date: 2026-12-01 10:25:00

"""
import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import trainings.db  # noqa: F401  (UTCDateTime columns)

# revision identifiers, used by Alembic.
revision = '0012_accounts'
down_revision = '0006_networks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('calendar_feed_nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('locked_until', trainings.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_calendar_token_hash'),
                                          ['calendar_token_hash'])

    # The feed tokens handed out so far keep working: their digest replaces them (without a
    # nonce the page cannot show such a link again; making a new one shows it).
    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer),
                     sa.column('calendar_token', sa.String),
                     sa.column('calendar_token_hash', sa.String))
    rows = connection.execute(sa.select(users.c.id, users.c.calendar_token)
                              .where(users.c.calendar_token.is_not(None))).all()
    for user_id, token in rows:
        connection.execute(users.update().where(users.c.id == user_id).values(
            calendar_token_hash=hashlib.sha256(token.encode()).hexdigest()))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=10), server_default='write',
                                      nullable=False))
        batch_op.add_column(sa.Column('expires_at', trainings.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_api_tokens_scope_known'),
                                         "scope IN ('read', 'write')")
    # Tokens made before had no end: they now expire in 90 days (API_TOKEN_DAYS).
    tokens = sa.table('api_tokens', sa.column('expires_at', trainings.db.UTCDateTime(timezone=True)))
    connection.execute(tokens.update().values(
        expires_at=datetime.now(UTC) + timedelta(days=90)))

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
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_calendar_token'), ['calendar_token'])
        batch_op.drop_constraint(batch_op.f('uq_users_calendar_token_hash'), type_='unique')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('session_version')
        batch_op.drop_column('calendar_feed_nonce')
        batch_op.drop_column('calendar_token_hash')
