"""the month's audit sample proposed from the Annex A lists: the proposal and its picks

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-10 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sample_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('source_name', sa.String(length=300), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['people.id'],
                            name=op.f('fk_sample_proposals_confirmed_by_id_people')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['people.id'], name=op.f('fk_sample_proposals_proposed_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_proposals')),
    sa.UniqueConstraint('month', name=op.f('uq_sample_proposals_month'))
    )
    op.create_table('sample_picks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=50), nullable=False),
    sa.Column('annex_a_list', sa.String(length=100), nullable=False),
    sa.Column('service_area', sa.String(length=200), nullable=False),
    sa.Column('team', sa.String(length=200), nullable=False),
    sa.Column('case_holder_id', sa.Integer(), nullable=True),
    sa.Column('auditor_id', sa.Integer(), nullable=True),
    sa.Column('reaudit', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['auditor_id'], ['people.id'], name=op.f('fk_sample_picks_auditor_id_people')),
    sa.ForeignKeyConstraint(['case_holder_id'], ['people.id'], name=op.f('fk_sample_picks_case_holder_id_people')),
    sa.ForeignKeyConstraint(['proposal_id'], ['sample_proposals.id'],
                            name=op.f('fk_sample_picks_proposal_id_sample_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_picks'))
    )
    with op.batch_alter_table('sample_picks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_picks_proposal_id'), ['proposal_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sample_picks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_picks_proposal_id'))
    op.drop_table('sample_picks')
    op.drop_table('sample_proposals')
