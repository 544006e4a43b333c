"""networks: organisations as records, hubs, programmes, one person per email

Revision ID: 0006_networks
Revises: 0005_certificates
Create Date: 2026-12-01 09:50:00

"""
import unicodedata
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import trainings.db  # noqa: F401  (UTCDateTime columns)

# revision identifiers, used by Alembic.
revision = '0006_networks'
down_revision = '0005_certificates'
branch_labels = None
depends_on = None


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('short_name', sa.String(length=50), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_organisations_name_key'), ['name_key'], unique=False)

    op.create_table('hubs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('name_id', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=200), nullable=False),
    sa.Column('description_id', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('created_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hubs')),
    sa.UniqueConstraint('slug', name=op.f('uq_hubs_slug'))
    )
    op.create_table('hub_organisations',
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_hub_organisations_hub_id_hubs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_hub_organisations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hub_id', 'organisation_id', name=op.f('pk_hub_organisations'))
    )
    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_id', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('description_id', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('created_at', trainings.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programmes_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes'))
    )
    op.create_table('programme_trainings',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_trainings_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_programme_trainings_training_id_trainings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'training_id', name=op.f('pk_programme_trainings'))
    )
    op.create_index(op.f('ix_programme_trainings_training_id'), 'programme_trainings', ['training_id'], unique=False)
    op.create_table('programme_managers',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_managers_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_programme_managers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'user_id', name=op.f('pk_programme_managers'))
    )
    op.create_index(op.f('ix_programme_managers_user_id'), 'programme_managers', ['user_id'], unique=False)
    op.create_table('programme_organisations',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_programme_organisations_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_organisations_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'organisation_id', name=op.f('pk_programme_organisations'))
    )

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.String(length=500), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_enrolments_search_key'), ['search_key'], unique=False)

    _backfill()


def _backfill():
    """Folded keys for existing rows; every enrolment linked to the account of its email."""
    bind = op.get_bind()
    organisations = sa.table('organisations', sa.column('id'), sa.column('name'), sa.column('name_key'))
    for row in bind.execute(sa.select(organisations.c.id, organisations.c.name)).all():
        bind.execute(organisations.update().where(organisations.c.id == row.id)
                     .values(name_key=_fold(row.name)[:200]))
    users = sa.table('users', sa.column('id'), sa.column('email'), sa.column('name'),
                     sa.column('role'), sa.column('language'), sa.column('timezone'),
                     sa.column('is_active_account'), sa.column('created_at', trainings.db.UTCDateTime()))
    enrolments = sa.table('enrolments', sa.column('id'), sa.column('user_id'), sa.column('name'),
                          sa.column('email'), sa.column('language'), sa.column('timezone'),
                          sa.column('search_key'))
    accounts = {r.email: r.id for r in bind.execute(sa.select(users.c.id, users.c.email)).all()}
    for row in bind.execute(sa.select(enrolments).order_by(enrolments.c.id)).all():
        values = {"search_key": f"{_fold(row.name)} {row.email}".strip()[:500]}
        if row.user_id is None:
            if row.email not in accounts:
                bind.execute(users.insert().values(
                    email=row.email, name=row.name or row.email, role='participant',
                    language=row.language or 'en', timezone=row.timezone or 'UTC',
                    is_active_account=True, created_at=datetime.now(UTC)))
                accounts[row.email] = bind.execute(
                    sa.select(users.c.id).where(users.c.email == row.email)).scalar_one()
            values["user_id"] = accounts[row.email]
        bind.execute(enrolments.update().where(enrolments.c.id == row.id).values(**values))


def downgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_search_key'))
        batch_op.drop_column('search_key')
    op.drop_table('programme_organisations')
    op.drop_index(op.f('ix_programme_managers_user_id'), table_name='programme_managers')
    op.drop_table('programme_managers')
    op.drop_index(op.f('ix_programme_trainings_training_id'), table_name='programme_trainings')
    op.drop_table('programme_trainings')
    op.drop_table('programmes')
    op.drop_table('hub_organisations')
    op.drop_table('hubs')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_name_key'))
        batch_op.drop_column('short_name')
        batch_op.drop_column('name_key')
