"""file previews: files sent in chat, held until Confirm or Cancel, and a mark per import

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 04:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('file_previews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=True),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=True),
    sa.Column('text', sa.String(length=500), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_file_previews_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_previews'))
    )
    with op.batch_alter_table('file_previews', schema=None) as batch_op:
        batch_op.create_index('ix_file_previews_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_file_previews_kind', ['kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('file_previews', schema=None) as batch_op:
        batch_op.drop_index('ix_file_previews_kind')
        batch_op.drop_index('ix_file_previews_created_at')
    op.drop_table('file_previews')
