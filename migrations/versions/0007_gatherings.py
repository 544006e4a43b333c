"""gatherings: session mode, venue and interpretation; check-in codes; groups

Revision ID: 0007_gatherings
Revises: 0012_privacy
Create Date: 2026-12-01 11:10:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

import trainings.db  # noqa: F401  (UTCDateTime columns)

# revision identifiers, used by Alembic.
revision = '0007_gatherings'
down_revision = "0012_privacy"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=20), nullable=False,
                                      server_default='online'))
        batch_op.add_column(sa.Column('venue_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('venue_address', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('venue_accessibility_id', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('venue_accessibility_en', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('interpretation', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.create_check_constraint(
            'mode_known', "mode IN ('online', 'in_person', 'hybrid')")
        batch_op.create_check_constraint(
            'venue_unless_online', "mode = 'online' OR venue_name IS NOT NULL")

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_code', sa.String(length=32), nullable=True))
    enrolments = sa.table('enrolments', sa.column('id', sa.Integer),
                          sa.column('checkin_code', sa.String))
    connection = op.get_bind()
    for (enrolment_id,) in connection.execute(sa.select(enrolments.c.id)).all():
        connection.execute(enrolments.update().where(enrolments.c.id == enrolment_id)
                           .values(checkin_code=secrets.token_urlsafe(16)))
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_enrolments_checkin_code'),
                                          ['checkin_code'])

    op.create_table('training_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=False),
        sa.Column('name_id', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('created_at', trainings.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint('capacity > 0', name=op.f('ck_training_groups_capacity_positive')),
        sa.ForeignKeyConstraint(['training_id'], ['trainings.id'],
                                name=op.f('fk_training_groups_training_id_trainings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_groups')),
    )
    op.create_index(op.f('ix_training_groups_training_id'), 'training_groups', ['training_id'],
                    unique=False)
    op.create_table('group_facilitators',
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['training_groups.id'],
                                name=op.f('fk_group_facilitators_group_id_training_groups'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_group_facilitators_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_group_facilitators')),
    )
    op.create_table('group_members',
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', trainings.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'],
                                name=op.f('fk_group_members_enrolment_id_enrolments'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['training_groups.id'],
                                name=op.f('fk_group_members_group_id_training_groups'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_group_members')),
    )
    op.create_index(op.f('ix_group_members_group_id'), 'group_members', ['group_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_group_members_group_id'), table_name='group_members')
    op.drop_table('group_members')
    op.drop_table('group_facilitators')
    op.drop_index(op.f('ix_training_groups_training_id'), table_name='training_groups')
    op.drop_table('training_groups')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_enrolments_checkin_code'), type_='unique')
        batch_op.drop_column('checkin_code')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_constraint('venue_unless_online', type_='check')
        batch_op.drop_constraint('mode_known', type_='check')
        batch_op.drop_column('interpretation')
        batch_op.drop_column('venue_accessibility_en')
        batch_op.drop_column('venue_accessibility_id')
        batch_op.drop_column('venue_address')
        batch_op.drop_column('venue_name')
        batch_op.drop_column('mode')
