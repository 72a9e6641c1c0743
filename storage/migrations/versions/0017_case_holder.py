"""the case holder's side of an audit: the conversation arranged and held; their reflection and supervision ask

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('conversation_arranged_at', storage.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('conversation_held_at', storage.models.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_holder_reflection', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reflected_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('supervision_asked_at', storage.models.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_column('supervision_asked_at')
        batch_op.drop_column('reflected_at')
        batch_op.drop_column('case_holder_reflection')
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_column('conversation_held_at')
        batch_op.drop_column('conversation_arranged_at')
        batch_op.drop_column('conversation_on')
