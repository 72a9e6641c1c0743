"""The month's feedback entries as a workbook for the principal social work team (framework 9.4: they
collate it): `python -m bot feedback export` and `feedback export` in chat write the same one."""
from __future__ import annotations

import io

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.observations.duties import feedback_digest
from dialogs import workbooks

EXPORT_COLUMNS = ("Recorded", "Recorded by", "From", "Kind", "How it was given", "Service area", "Team", "Case ref",
                  "Rating", "Not possible", "What was said")


async def feedback_workbook(session: AsyncSession, month: str, tz) -> tuple[bytes, int]:
    """`month`'s ("2027-03") feedback entries and their counts as .xlsx bytes, and how many entries.
    Text is written as text (dialogs/workbooks.py): a name, team or entry starting with = + - @ is not
    a formula to Excel, and reads back as typed."""
    digest = await feedback_digest(session, month, tz)
    book = workbooks.openpyxl_workbook()
    sheet = book.active
    sheet.title = f"Feedback {month}"
    workbooks.append(sheet, EXPORT_COLUMNS)
    for view in digest.entries:
        workbooks.append(sheet, [view.recorded_at.astimezone(tz).replace(tzinfo=None), view.author_name,
                                 view.source, view.kind, view.how_given, view.service_area, view.team,
                                 view.case_ref or "", view.rating if view.rating is not None else "",
                                 "yes" if view.not_possible else "", view.said])
    summary = book.create_sheet("Counts")
    workbooks.append(summary, ("Count", "Value", "Entries"))
    for title, counts in (("Source", digest.by_source), ("Service area", digest.by_area),
                          ("Rating", digest.by_rating)):
        for key, value in counts.items():
            workbooks.append(summary, (title, key, value))
    workbooks.append(summary, ("Kind", "Complaint", digest.complaints))
    workbooks.append(summary, ("Kind", "Compliment", digest.compliments))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(digest.entries)
