"""Audit forms as data: allocations.form_name (the form chosen at import), audits.answers (a form other than the default, by question id) and
audit_form_versions (every version of every form used, kept whole)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 07:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_name', sa.String(length=60), server_default='default', nullable=False))
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers', sa.JSON(), nullable=True))
    op.create_table('audit_form_versions',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('installed_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('installed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['installed_by_id'], ['people.id'], name=op.f('fk_audit_form_versions_installed_by_id_people')),
    sa.PrimaryKeyConstraint('name', 'version', name=op.f('pk_audit_form_versions'))
    )


def downgrade() -> None:
    op.drop_table('audit_form_versions')
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_column('answers')
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35+): batch mode would copy and drop `allocations`, which audits refer to.
        op.execute('ALTER TABLE allocations DROP COLUMN form_name')
    else:
        op.drop_column('allocations', 'form_name')
