"""the trail: any subject (subject_type, subject_id) instead of allocation_id

The audit trail becomes the trail of every capability (escalations, supervision records,
observations and broadcasts to come). Rows about an allocation keep its id as their subject;
rows without one are about their month. No foreign key: the trail outlives a withdrawn allocation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', sa.String(length=40), nullable=False, server_default='month'))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
    op.execute("UPDATE audit_events SET subject_type = 'allocation', subject_id = allocation_id "
               "WHERE allocation_id IS NOT NULL")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('subject_type', server_default=None)
        batch_op.drop_index(batch_op.f('ix_audit_events_allocation_id'))
        batch_op.drop_constraint(batch_op.f('fk_audit_events_allocation_id_allocations'), type_='foreignkey')
        batch_op.drop_column('allocation_id')
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allocation_id', sa.Integer(), nullable=True))
    # Only ids of allocations that still exist can point back at them.
    op.execute("UPDATE audit_events SET allocation_id = subject_id WHERE subject_type = 'allocation' "
               "AND subject_id IN (SELECT id FROM allocations)")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_subject')
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_allocation_id_allocations'), 'allocations',
                                    ['allocation_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_audit_events_allocation_id'), ['allocation_id'], unique=False)
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_type')
