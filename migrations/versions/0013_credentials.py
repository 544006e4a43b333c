"""credentials: Bitstring Status Lists, status entries of certificates, confirmed names

Revision ID: 0013_credentials
Revises: 0014_rate_limits

"""
from alembic import op
import sqlalchemy as sa

import trainings.db  # noqa: F401  (UTCDateTime columns)


revision = '0013_credentials'
down_revision = '0014_rate_limits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('status_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('bits', sa.LargeBinary(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.Column('created_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length >= 131072', name=op.f('ck_status_lists_length_minimum')),
    sa.CheckConstraint("purpose IN ('revocation', 'suspension')", name=op.f('ck_status_lists_purpose_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_lists'))
    )
    op.create_table('certificate_names',
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('confirmed_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_certificate_names_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_certificate_names'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_list_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_certificates_status_list_id'), ['status_list_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_certificates_status_list_id_status_lists'), 'status_lists', ['status_list_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_status_list_id_status_index'), ['status_list_id', 'status_index'])
        batch_op.create_check_constraint('status_entry_complete', '(status_list_id IS NULL) = (status_index IS NULL)')


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificates_status_entry_complete'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_certificates_status_list_id_status_index'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_certificates_status_list_id_status_lists'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_certificates_status_list_id'))
        batch_op.drop_column('status_index')
        batch_op.drop_column('status_list_id')
    op.drop_table('certificate_names')
    op.drop_table('status_lists')
