"""escalations: moderation of Inadequate grades, urgent reviews and their updates

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:45:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('moderations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('original_grade', sa.String(length=30), nullable=False),
    sa.Column('decided_grade', sa.String(length=30), nullable=True),
    sa.Column('reason', sa.String(length=2000), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_moderations_allocation_id_allocations')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_moderations_audit_id_audits')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['people.id'], name=op.f('fk_moderations_decided_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderations')),
    sa.UniqueConstraint('audit_id', name=op.f('uq_moderations_audit_id'))
    )
    with op.batch_alter_table('moderations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderations_allocation_id'), ['allocation_id'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderation_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('opened_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_escalations_allocation_id_allocations')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['people.id'], name=op.f('fk_escalations_closed_by_id_people')),
    sa.ForeignKeyConstraint(['moderation_id'], ['moderations.id'], name=op.f('fk_escalations_moderation_id_moderations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('moderation_id', name=op.f('uq_escalations_moderation_id'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_allocation_id'), ['allocation_id'], unique=False)

    op.create_table('escalation_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_updates_escalation_id_escalations')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['people.id'], name=op.f('fk_escalation_updates_sent_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_updates')),
    sa.UniqueConstraint('escalation_id', 'number', name=op.f('uq_escalation_updates_escalation_id'))
    )
    with op.batch_alter_table('escalation_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_updates_escalation_id'), ['escalation_id'], unique=False)

    op.create_table('reaudits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderation_id', sa.Integer(), nullable=False),
    sa.Column('original_allocation_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_reaudits_allocation_id_allocations')),
    sa.ForeignKeyConstraint(['moderation_id'], ['moderations.id'], name=op.f('fk_reaudits_moderation_id_moderations')),
    sa.ForeignKeyConstraint(['original_allocation_id'], ['allocations.id'], name=op.f('fk_reaudits_original_allocation_id_allocations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reaudits')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_reaudits_allocation_id')),
    sa.UniqueConstraint('moderation_id', name=op.f('uq_reaudits_moderation_id'))
    )
    with op.batch_alter_table('reaudits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reaudits_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_reaudits_original_allocation_id'), ['original_allocation_id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=50), nullable=False),
    sa.Column('team', sa.String(length=200), nullable=False),
    sa.Column('service_area', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['raised_by_id'], ['people.id'], name=op.f('fk_alerts_raised_by_id_people')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['people.id'], name=op.f('fk_alerts_resolved_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_state', ['state', 'raised_at'], unique=False)

    op.create_table('alert_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_responses_alert_id_alerts')),
    sa.ForeignKeyConstraint(['by_id'], ['people.id'], name=op.f('fk_alert_responses_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_responses'))
    )
    with op.batch_alter_table('alert_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_responses_alert_id'), ['alert_id'], unique=False)

    op.create_table('remedial_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=30), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_remedial_plans_allocation_id_allocations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remedial_plans')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_remedial_plans_allocation_id'))
    )
    op.create_table('remedial_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('done_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_remedial_actions_created_by_id_people')),
    sa.ForeignKeyConstraint(['done_by_id'], ['people.id'], name=op.f('fk_remedial_actions_done_by_id_people')),
    sa.ForeignKeyConstraint(['plan_id'], ['remedial_plans.id'], name=op.f('fk_remedial_actions_plan_id_remedial_plans')),
    sa.ForeignKeyConstraint(['responsible_id'], ['people.id'], name=op.f('fk_remedial_actions_responsible_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remedial_actions'))
    )
    with op.batch_alter_table('remedial_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remedial_actions_plan_id'), ['plan_id'], unique=False)

    op.create_table('dip_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('drawn_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dip_samples')),
    sa.UniqueConstraint('month', name=op.f('uq_dip_samples_month'))
    )
    op.create_table('dip_sample_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('grade_given', sa.String(length=30), nullable=True),
    sa.Column('comment', sa.String(length=2000), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_dip_sample_items_allocation_id_allocations')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_dip_sample_items_audit_id_audits')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['people.id'], name=op.f('fk_dip_sample_items_decided_by_id_people')),
    sa.ForeignKeyConstraint(['sample_id'], ['dip_samples.id'], name=op.f('fk_dip_sample_items_sample_id_dip_samples')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dip_sample_items')),
    sa.UniqueConstraint('sample_id', 'audit_id', name=op.f('uq_dip_sample_items_sample_id'))
    )
    with op.batch_alter_table('dip_sample_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dip_sample_items_allocation_id'), ['allocation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dip_sample_items_sample_id'), ['sample_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dip_sample_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dip_sample_items_sample_id'))
        batch_op.drop_index(batch_op.f('ix_dip_sample_items_allocation_id'))
    op.drop_table('dip_sample_items')
    op.drop_table('dip_samples')
    with op.batch_alter_table('remedial_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remedial_actions_plan_id'))
    op.drop_table('remedial_actions')
    op.drop_table('remedial_plans')
    with op.batch_alter_table('alert_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_responses_alert_id'))
    op.drop_table('alert_responses')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_state')
    op.drop_table('alerts')
    with op.batch_alter_table('reaudits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reaudits_original_allocation_id'))
        batch_op.drop_index(batch_op.f('ix_reaudits_month'))
    op.drop_table('reaudits')
    with op.batch_alter_table('escalation_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_updates_escalation_id'))
    op.drop_table('escalation_updates')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_allocation_id'))
    op.drop_table('escalations')
    with op.batch_alter_table('moderations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderations_allocation_id'))
    op.drop_table('moderations')
