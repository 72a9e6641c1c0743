"""people.start_date: the day a person joined the service (the roster's optional column);
imported_audits: the QA unit's past audits, imported

Existing people get none: they are established (no new-starter duties), which is what a council
going live with its existing staff needs.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 02:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))
    op.create_table('imported_audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('case_ref', sa.String(length=50), nullable=False),
    sa.Column('service_area', sa.String(length=200), nullable=False),
    sa.Column('team', sa.String(length=200), nullable=False),
    sa.Column('auditor_email', sa.String(length=320), nullable=True),
    sa.Column('auditor_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=30), nullable=False),
    sa.Column('key_areas', sa.JSON(), nullable=False),
    sa.Column('allocated_on', sa.Date(), nullable=True),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('imported_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['auditor_id'], ['people.id'], name=op.f('fk_imported_audits_auditor_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_audits')),
    sa.UniqueConstraint('month', 'case_ref', name=op.f('uq_imported_audits_month'))
    )
    with op.batch_alter_table('imported_audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_audits_month'), ['month'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('imported_audits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_audits_month'))
    op.drop_table('imported_audits')
    # In place, not batch's copy-and-drop: SQLite's foreign keys refuse to drop `people` once other
    # rows refer to it, and SQLite (3.35+) drops a plain column itself.
    op.drop_column('people', 'start_date')
