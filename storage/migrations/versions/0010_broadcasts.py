"""broadcasts: the QA calendar, broadcasts and their recipients

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 17:18:48.400874
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=1000), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('imported_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_events')),
    sa.UniqueConstraint('kind', 'starts_on', 'title', name=op.f('uq_calendar_events_kind'))
    )
    with op.batch_alter_table('calendar_events', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_events_dates', ['starts_on', 'ends_on'], unique=False)

    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('link_url', sa.String(length=1000), nullable=True),
    sa.Column('link_title', sa.String(length=100), nullable=True),
    sa.Column('audience', sa.String(length=2000), nullable=False),
    sa.Column('ask_ack', sa.Boolean(), nullable=False),
    sa.Column('send_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('corrected_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('chased_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_broadcasts_created_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts')),
    sa.UniqueConstraint('key', name=op.f('uq_broadcasts_key'))
    )
    op.create_table('broadcast_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.String(length=500), nullable=True),
    sa.Column('service_area', sa.String(length=200), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('failure', sa.String(length=100), nullable=True),
    sa.Column('read_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_broadcast_recipients_broadcast_id_broadcasts')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_broadcast_recipients_outbox_id_outbox'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_broadcast_recipients_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_recipients')),
    sa.UniqueConstraint('broadcast_id', 'person_id', name=op.f('uq_broadcast_recipients_broadcast_id'))
    )
    with op.batch_alter_table('broadcast_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_recipients_broadcast_id'), ['broadcast_id'], unique=False)
        batch_op.create_index('ix_broadcast_recipients_outbox', ['outbox_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('broadcast_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_broadcast_recipients_outbox')
        batch_op.drop_index(batch_op.f('ix_broadcast_recipients_broadcast_id'))

    op.drop_table('broadcast_recipients')
    op.drop_table('broadcasts')
    with op.batch_alter_table('calendar_events', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_events_dates')

    op.drop_table('calendar_events')
