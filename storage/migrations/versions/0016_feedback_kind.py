"""feedback_entries.kind: what the feedback is (complaint, compliment, comment or suggestion), asked
apart from how it was given (the channel); existing rows kept readable. Observations of a "Child
looked-after review" take the framework's words, "Children looked after (CLA) review".

Entries recorded before the split held a complaint or a compliment as how it was given: their kind
becomes that, and how it was given "Not recorded" (it was never asked). Every other entry (a
conversation, a survey, a letter or email) is a comment or suggestion, its channel kept. "Not
possible to ask" entries (an audit's family view) have neither.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:00:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OLD_AREA, NEW_AREA = "Child looked-after review", "Children looked after (CLA) review"


def upgrade() -> None:
    with op.batch_alter_table('feedback_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), server_default='', nullable=False))
    entries = sa.table('feedback_entries', sa.column('how_given', sa.String), sa.column('kind', sa.String),
                       sa.column('not_possible', sa.Boolean))
    for kind in ("Complaint", "Compliment"):
        op.execute(entries.update().where(entries.c.how_given == kind)
                   .values(kind=kind, how_given="Not recorded"))
    op.execute(entries.update().where(entries.c.kind == "", entries.c.not_possible == sa.false())
               .values(kind="Comment or suggestion"))
    observations = sa.table('observations', sa.column('area', sa.String))
    op.execute(observations.update().where(observations.c.area == OLD_AREA).values(area=NEW_AREA))


def downgrade() -> None:
    entries = sa.table('feedback_entries', sa.column('how_given', sa.String), sa.column('kind', sa.String))
    for kind in ("Complaint", "Compliment"):
        op.execute(entries.update().where(entries.c.kind == kind, entries.c.how_given == "Not recorded")
                   .values(how_given=kind))
    with op.batch_alter_table('feedback_entries', schema=None) as batch_op:
        batch_op.drop_column('kind')
    observations = sa.table('observations', sa.column('area', sa.String))
    op.execute(observations.update().where(observations.c.area == NEW_AREA).values(area=OLD_AREA))
