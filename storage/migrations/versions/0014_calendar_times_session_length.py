"""the 1:1's duration optional; calendar events' times and organiser; answers to reminded events and attendance

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A session recorded without its length counts as "duration not recorded" (framework 9.1's 90 minutes).
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.alter_column('duration_minutes', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('calendar_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('ends_at', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('organiser_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_calendar_events_organiser_id_people'), 'people',
                                    ['organiser_id'], ['id'])
    op.create_table('calendar_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=20), nullable=True),
    sa.Column('answered_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('attendance_marked_by_id', sa.Integer(), nullable=True),
    sa.Column('attendance_marked_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attendance_marked_by_id'], ['people.id'],
                            name=op.f('fk_calendar_responses_attendance_marked_by_id_people')),
    sa.ForeignKeyConstraint(['event_id'], ['calendar_events.id'], name=op.f('fk_calendar_responses_event_id_calendar_events')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_calendar_responses_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_responses')),
    sa.UniqueConstraint('event_id', 'person_id', name=op.f('uq_calendar_responses_event_id'))
    )
    with op.batch_alter_table('calendar_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_responses_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('calendar_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_responses_person_id'))
    op.drop_table('calendar_responses')
    with op.batch_alter_table('calendar_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calendar_events_organiser_id_people'), type_='foreignkey')
        batch_op.drop_column('organiser_id')
        batch_op.drop_column('ends_at')
        batch_op.drop_column('starts_at')
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.alter_column('duration_minutes', existing_type=sa.Integer(), nullable=False)
