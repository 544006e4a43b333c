"""privacy: staff audit, module versions, erasure marks, retention setting

Revision ID: 0012_privacy
Revises: 0012_accounts
Create Date: 2026-12-01 10:35:00

"""
from alembic import op
import sqlalchemy as sa

import trainings.db  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '0012_privacy'
down_revision = "0012_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_audit_entries_training_id_trainings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_training_id_id', ['training_id', 'id'], unique=False)

    op.create_table('module_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=50), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_module_versions_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_versions')),
    sa.UniqueConstraint('slug', 'version', name=op.f('uq_module_versions_slug_version'))
    )
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_versions_slug'), ['slug'], unique=False)

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', trainings.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', trainings.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), nullable=True))
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('module_version', sa.Integer(), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ too): a batch rebuild of these tables would fire the
    # ON DELETE of every table that points at them.
    op.execute("ALTER TABLE training_sessions DROP COLUMN module_version")
    op.execute("ALTER TABLE trainings DROP COLUMN retention_months")
    op.execute("ALTER TABLE users DROP COLUMN erased_at")
    op.execute("ALTER TABLE enrolments DROP COLUMN erased_at")
    with op.batch_alter_table('module_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_versions_slug'))
    op.drop_table('module_versions')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_training_id_id')
    op.drop_table('audit_entries')
