"""The workforce duties (framework 9.2): people.registration_number, Social Work England's number from
the roster's optional column; workforce_records: what was held for a person (ASYE review points), by date only

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 05:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_number', sa.String(length=12), nullable=True))
    op.create_table('workforce_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_workforce_records_person_id_people')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['people.id'], name=op.f('fk_workforce_records_recorded_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workforce_records')),
    sa.UniqueConstraint('person_id', 'kind', 'period', name=op.f('uq_workforce_records_person_id'))
    )
    with op.batch_alter_table('workforce_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workforce_records_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('workforce_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workforce_records_person_id'))
    op.drop_table('workforce_records')
    # In place, not batch's copy-and-drop: SQLite's foreign keys refuse to drop `people` once other
    # rows refer to it (see 0018).
    op.drop_column('people', 'registration_number')
