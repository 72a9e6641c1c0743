"""The one way the bot writes a workbook: text from data is always a text cell, never a formula.

A staff name, a team, a case reference or typed feedback may start with `=`, `+`, `-` or `@`
(or a tab or carriage return, which Excel skips before reading a formula): written as it comes,
openpyxl stores "=HYPERLINK(...)" as a live formula, and Excel runs it when the file is opened
(formula injection). Every workbook the bot makes (the audit register and analysis, the
broadcast report, the feedback export) is written through this module:

- `xlsx_workbook(target, options)`: an XlsxWriter workbook whose every worksheet writes text as
  a string cell (`strings_to_formulas` and `strings_to_urls` off, and a `str` write handler that
  writes text starting with one of `RISKY` with `write_string` and Excel's quote prefix, so
  editing the cell in Excel keeps it text);
- `openpyxl_workbook(write_only)` and `append(sheet, values)`: openpyxl, with each risky text
  cell typed as a string (data type "s") with the quote prefix.

Numbers, dates and empty cells are written as they are (a negative number stays a number); the
text is kept as it was typed (no apostrophe added to the value), so the workbook reads back the
same. Pure: no database, no Teams.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import IO, Any

import xlsxwriter
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell

# What a spreadsheet program may take as the start of a formula (OWASP "CSV injection").
RISKY = ("=", "+", "-", "@", "\t", "\r")


def risky(value: Any) -> bool:
    """True for text a spreadsheet program could take as a formula (it starts with one of `RISKY`)."""
    return isinstance(value, str) and value.startswith(RISKY)


class _TextSafeWorkbook(xlsxwriter.Workbook):
    """XlsxWriter's Workbook whose worksheets write every `str` given to `write`, `write_row` or a
    table's data as a string cell, risky text with the quote prefix (see the module notes)."""

    def __init__(self, target: Any, options: Mapping[str, Any]) -> None:
        super().__init__(target, {**options, "strings_to_formulas": False, "strings_to_urls": False})
        self._quoted = self.add_format({"quote_prefix": True})

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
        sheet = super().add_worksheet(name, worksheet_class)
        sheet.add_write_handler(str, self._write_text)
        sheet.quoted_format = self._quoted  # for write_text
        return sheet

    def _write_text(self, sheet: Any, row: int, col: int, value: str, cell_format: Any = None) -> int | None:
        if not risky(value):
            return None  # XlsxWriter writes it as a string (strings_to_formulas is off)
        # A cell with its own format (a heading's bold) keeps it; text is a string cell either way.
        return sheet.write_string(row, col, value, cell_format if cell_format is not None else self._quoted)


def xlsx_workbook(target: str | os.PathLike[str] | IO[bytes], options: Mapping[str, Any] | None = None
                  ) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook writing to `target` (a path or a binary file) with XlsxWriter's
    `options` (constant_memory, in_memory, default_date_format ...); text is never a formula."""
    path = os.fspath(target) if isinstance(target, str | os.PathLike) else target
    return _TextSafeWorkbook(path, options or {})


def write_text(sheet: Any, row: int, col: int, value: str, cell_format: Any = None) -> None:
    """Text into an XlsxWriter cell (0-based `row`, `col`) for a writer that calls `write_string`
    itself (the register, in constant_memory mode): risky text gets the quote prefix."""
    if cell_format is None and risky(value):
        cell_format = sheet.quoted_format  # set when xlsx_workbook's workbook made the sheet
    sheet.write_string(row, col, value, cell_format)


def openpyxl_workbook(*, write_only: bool = False) -> OpenpyxlWorkbook:
    """An openpyxl workbook; write its rows with `append` so text is never a formula."""
    return OpenpyxlWorkbook(write_only=write_only)


def cell(sheet: Any, value: Any) -> Any:
    """`value` as openpyxl will append it to `sheet`: risky text as a string cell with the quote
    prefix, anything else unchanged."""
    if isinstance(value, str) and "\r" in value:
        # openpyxl writes a carriage return raw, which XML reads back as a line feed; OOXML's
        # escape (what XlsxWriter writes) keeps it, and Excel shows the text as typed.
        text_value = value.replace("\r", "_x000D_")
    else:
        text_value = value
    if not risky(value):
        return text_value
    text = WriteOnlyCell(sheet, text_value)
    text.data_type = "s"  # openpyxl would otherwise type "=..." as a formula ("f")
    text.quotePrefix = True
    return text


def append(sheet: Any, values: Iterable[Any]) -> None:
    """One row after the last of an openpyxl worksheet (write-only or not), text kept as text."""
    sheet.append([cell(sheet, v) for v in values])
