"""One sheet holding one Excel table, written straight as Office Open XML: for the audit register,
which runs to tens of thousands of rows.

Why not XlsxWriter here (the analysis workbooks use it, for its charts): its constant_memory mode
cannot add a table, and its normal mode keeps every cell as an object (30,000 rows x 28 columns:
6 s and 235 MB here); this writer spends a few microseconds a cell and keeps one row at a time (the rest wait in a temporary file).
What it writes: a table with filters (banded rows), a frozen header row, column widths that fit
the longest value (within 8..60 characters), dates as real dates (yyyy-mm-dd), strings shared.
openpyxl and Excel read it (tests read it back with openpyxl).
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any
from xml.sax.saxutils import escape

TEXT, DATE, NUMBER = "text", "date", "number"
EXCEL_EPOCH = date(1899, 12, 30).toordinal()
MIN_WIDTH, MAX_WIDTH = 8, 60
_BAD_XML = {c: None for c in range(32) if c not in (9, 10, 13)}  # control characters XML forbids


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class TableWriter:
    """Rows in one at a time (`add`), the workbook out at `close`: the sheet's rows wait in a
    temporary file (the column widths, written before them, are known only at the end), so memory
    holds one row and the shared strings, whatever the number of rows."""

    def __init__(self, out: str | IO[bytes], *, sheet: str, table: str, headers: Sequence[str],
                 kinds: Sequence[str], title: str = "") -> None:
        if len(set(headers)) != len(headers) or len(kinds) != len(headers):
            raise ValueError("headers must be unique, one kind each")
        self.out, self.sheet, self.table, self.headers, self.title = out, sheet, table, tuple(headers), title
        self.letters = [column_letter(i) for i in range(len(headers))]
        self.strings: dict[str, int] = {}
        self.widths = [len(h) + 3 for h in headers]  # room for the filter button
        self.columns = list(enumerate(kinds))
        self.count = 0
        self._rows = tempfile.TemporaryFile()
        self._pending: list[str] = ["<row r=\"1\">" + "".join(
            f'<c r="{self.letters[i]}1" t="s"><v>{self._shared(h)}</v></c>' for i, h in enumerate(headers)) + "</row>"]

    def _shared(self, value: str) -> int:
        found = self.strings.get(value)
        if found is None:
            found = self.strings[value] = len(self.strings)
        return found

    def add(self, values: Sequence[Any]) -> None:
        """One row; `values[i]` as kinds[i] says: TEXT (str; "" and None left empty), DATE (a date,
        or None) or NUMBER (int/float, or None)."""
        self.count += 1
        r = str(self.count + 1)
        letters, widths, strings = self.letters, self.widths, self.strings
        cells = []
        for i, kind in self.columns:
            value = values[i]
            if value is None or value == "":
                continue
            if kind == TEXT:
                value = str(value)
                if len(value) > widths[i]:
                    widths[i] = len(value)
                index = strings.get(value)
                if index is None:
                    index = strings[value] = len(strings)
                cells.append(f'<c r="{letters[i]}{r}" t="s"><v>{index}</v></c>')
            elif kind == DATE:
                if widths[i] < 10:
                    widths[i] = 10
                cells.append(f'<c r="{letters[i]}{r}" s="1"><v>{value.toordinal() - EXCEL_EPOCH}</v></c>')
            else:
                text = str(value)
                if len(text) > widths[i]:
                    widths[i] = len(text)
                cells.append(f'<c r="{letters[i]}{r}"><v>{text}</v></c>')
        self._pending.append(f'<row r="{r}">' + "".join(cells) + "</row>")
        if len(self._pending) >= 1000:
            self._flush()

    def _flush(self) -> None:
        self._rows.write("".join(self._pending).encode())
        self._pending.clear()

    def close(self) -> int:
        """Write the workbook; returns the number of data rows."""
        self._flush()
        last_row = max(self.count, 1) + 1  # a table needs a data row, even an empty one
        ref = f"A1:{self.letters[-1]}{last_row}"
        cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{min(max(w + 2, MIN_WIDTH), MAX_WIDTH)}" '
                       f'customWidth="1"/>' for i, w in enumerate(self.widths))
        with zipfile.ZipFile(self.out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr("[Content_Types].xml", _CONTENT_TYPES)
            z.writestr("_rels/.rels", _ROOT_RELS)
            z.writestr("docProps/core.xml", _core(self.title))
            z.writestr("xl/workbook.xml", _WORKBOOK.format(sheet=_xml(self.sheet)))
            z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            z.writestr("xl/styles.xml", _STYLES)
            with z.open("xl/worksheets/sheet1.xml", "w") as f:
                f.write(_SHEET_HEAD.format(ref=ref, cols=cols).encode())
                self._rows.seek(0)
                shutil.copyfileobj(self._rows, f, 1 << 20)
                f.write(_SHEET_TAIL.encode())
            self._rows.close()
            z.writestr("xl/worksheets/_rels/sheet1.xml.rels", _SHEET_RELS)
            columns_xml = "".join(f'<tableColumn id="{i + 1}" name="{_xml(h)}"/>' for i, h in enumerate(self.headers))
            z.writestr("xl/tables/table1.xml", _TABLE.format(name=_xml(self.table), ref=ref, n=len(self.headers),
                                                             columns=columns_xml))
            with z.open("xl/sharedStrings.xml", "w") as f:
                f.write(_SHARED_HEAD.format(n=len(self.strings)).encode())
                chunk = []
                for text in self.strings:
                    chunk.append(f"<si><t xml:space=\"preserve\">{_xml(text)}</t></si>")
                    if len(chunk) >= 2000:
                        f.write("".join(chunk).encode())
                        chunk.clear()
                f.write(("".join(chunk) + "</sst>").encode())
        return self.count


def write_table(out: str | IO[bytes], *, sheet: str, table: str, headers: Sequence[str],
                kinds: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "") -> int:
    """A workbook of one sheet named `sheet` holding the Excel table `table` (a name without spaces)
    with `headers` (unique) and `rows` (see TableWriter.add). Returns the number of data rows."""
    writer = TableWriter(out, sheet=sheet, table=table, headers=headers, kinds=kinds, title=title)
    for values in rows:
        writer.add(values)
    return writer.close()


def _xml(text: str) -> str:
    return escape(text.translate(_BAD_XML), {'"': "&quot;"})


def _core(title: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{_xml(title)}</dc:title></cp:coreProperties>")


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/tables/table1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '</Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
    '</Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<dimension ref="{ref}"/>'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')
_SHEET_TAIL = '</sheetData><tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>'
_SHEET_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" '
    'Target="../tables/table1.xml"/></Relationships>')
_TABLE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1" name="{name}" '
    'displayName="{name}" ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/>'
    '<tableColumns count="{n}">{columns}</tableColumns>'
    '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
    'showColumnStripes="0"/></table>')
_SHARED_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">')
