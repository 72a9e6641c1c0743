"""outbox kinds: one spelling (kebab-case)

Rows written before the capabilities' registry (capabilities/audit_cycle/kinds.py) spelt five
kinds with underscores. Renamed in place, so a press on an old message still names its card
and `outbox status` counts one kind once. No schema change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 16:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

RENAMED = {
    'oversight_request': 'oversight-request',
    'upload_request': 'upload-request',
    'decline_notice': 'decline-notice',
    'safeguarding_alert': 'safeguarding-alert',
}
outbox = sa.table('outbox', sa.column('kind', sa.String))


def upgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(outbox.update().where(outbox.c.kind == old).values(kind=new))


def downgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(outbox.update().where(outbox.c.kind == new).values(kind=old))
