"""supervision bookings: a due supervision booked for a day

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supervision_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=220), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('booked_for', sa.Date(), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('booked_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booked_by_id'], ['people.id'], name=op.f('fk_supervision_bookings_booked_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_bookings')),
    sa.UniqueConstraint('subject', 'kind', name=op.f('uq_supervision_bookings_subject'))
    )


def downgrade() -> None:
    op.drop_table('supervision_bookings')
