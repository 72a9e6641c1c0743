"""Remedial plans say when the service lead was asked for them (remedial_plans.requested_at): a plan made at
submission from an audit form's recommendations is sent to the service lead once oversight is confirmed

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 08:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('remedial_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_at', storage.models.UTCDateTime(timezone=True), nullable=True))
    # Every plan so far was made and sent to the service lead at once.
    op.execute("UPDATE remedial_plans SET requested_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table('remedial_plans', schema=None) as batch_op:
        batch_op.drop_column('requested_at')
