"""the case holder's side, continued: a draft shared for a factual check and their comment; agreement to a
Good or Outstanding case's use in a practice forum

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-09 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_shared_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('case_holder_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('commented_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('forum_agreed_at', storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_column('forum_agreed_at')
        batch_op.drop_column('commented_at')
        batch_op.drop_column('case_holder_comment')
        batch_op.drop_column('draft_shared_at')
