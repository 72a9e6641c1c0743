"""One sheet holding one Excel table, written straight as Office Open XML: for the audit register,
which runs to tens of thousands of rows.

Why not XlsxWriter here (the analysis workbooks use it, for its charts): its constant_memory mode
cannot add a table, and its normal mode keeps every cell as an object (30,000 rows x 28 columns:
6 s and 235 MB here); this writer spends a few microseconds a cell and keeps one string per row.
What it writes: a table with filters (banded rows), a frozen header row, column widths that fit
the longest value (within 8..60 characters), dates as real dates (yyyy-mm-dd), strings shared.
openpyxl and Excel read it (tests read it back with openpyxl).
"""
from __future__ import annotations

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


def write_table(out: str | IO[bytes], *, sheet: str, table: str, headers: Sequence[str],
                kinds: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "") -> int:
    """Write a workbook of one sheet named `sheet` holding the Excel table `table` (a name without
    spaces) with `headers` (unique) and `rows`; `kinds[i]` says how column i is written: TEXT
    (str; "" and None are left empty), DATE (a date, or None) or NUMBER (int/float, or None).
    Returns the number of data rows."""
    if len(set(headers)) != len(headers) or len(kinds) != len(headers):
        raise ValueError("headers must be unique, one kind each")
    letters = [column_letter(i) for i in range(len(headers))]
    strings: dict[str, int] = {}
    widths = [len(h) + 3 for h in headers]  # room for the filter button

    def shared(value: str) -> int:
        found = strings.get(value)
        if found is None:
            found = strings[value] = len(strings)
        return found

    lines = ["<row r=\"1\">" + "".join(f'<c r="{letters[i]}1" t="s"><v>{shared(h)}</v></c>'
                                       for i, h in enumerate(headers)) + "</row>"]
    count = 0
    columns = list(enumerate(kinds))
    for count, values in enumerate(rows, 1):  # noqa: B007 - count is the number of rows after the loop
        r = str(count + 1)
        cells = []
        for i, kind in columns:
            value = values[i]
            if value is None or value == "":
                continue
            if kind == TEXT:
                value = str(value)
                if len(value) > widths[i]:
                    widths[i] = len(value)
                cells.append(f'<c r="{letters[i]}{r}" t="s"><v>{shared(value)}</v></c>')
            elif kind == DATE:
                if widths[i] < 10:
                    widths[i] = 10
                cells.append(f'<c r="{letters[i]}{r}" s="1"><v>{value.toordinal() - EXCEL_EPOCH}</v></c>')
            else:
                text = str(value)
                if len(text) > widths[i]:
                    widths[i] = len(text)
                cells.append(f'<c r="{letters[i]}{r}"><v>{text}</v></c>')
        lines.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    last_row = max(count, 1) + 1  # a table needs a data row, even an empty one
    ref = f"A1:{letters[-1]}{last_row}"
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{min(max(w + 2, MIN_WIDTH), MAX_WIDTH)}" customWidth="1"/>'
                   for i, w in enumerate(widths))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("docProps/core.xml", _core(title))
        z.writestr("xl/workbook.xml", _WORKBOOK.format(sheet=_xml(sheet)))
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(_SHEET_HEAD.format(ref=ref, cols=cols).encode())
            for start in range(0, len(lines), 2000):
                f.write("".join(lines[start:start + 2000]).encode())
            f.write(_SHEET_TAIL.encode())
        z.writestr("xl/worksheets/_rels/sheet1.xml.rels", _SHEET_RELS)
        columns_xml = "".join(f'<tableColumn id="{i + 1}" name="{_xml(h)}"/>' for i, h in enumerate(headers))
        z.writestr("xl/tables/table1.xml", _TABLE.format(name=_xml(table), ref=ref, n=len(headers),
                                                         columns=columns_xml))
        body = "".join(f"<si><t xml:space=\"preserve\">{_xml(s)}</t></si>" for s in strings)
        z.writestr("xl/sharedStrings.xml", _SHARED.format(n=len(strings), body=body))
    return count


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
_SHARED = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">'
           '{body}</sst>')
