"""qa.tabular, the one reader of every file: formulas (a saved result is read; none refuses the file,
naming the cells), Excel's `sep=` hint, and the limits checked before parsing. Pure."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

from qa.roster import COLUMNS, RosterProblems, parse_roster
from qa.tabular import (
    MB,
    ReadLimits,
    UnreadableTable,
    check_limits,
    csv_separator,
    read_table,
    read_table_bytes,
)

HEADER = list(COLUMNS)
PEOPLE = [["ann@council.gov.uk", "Ann Ash", "practitioner", "Team A", "Children in Need", "", "", "no", ""],
          ["bo@council.gov.uk", "Bo Bell", "practitioner", "Team A", "Children in Need", "", "", "no", ""],
          ["cy@council.gov.uk", "Cy Cole", "practitioner", "Team A", "Children in Need", "", "", "no", ""]]


def xlsxwriter_roster(formula_values: list | None = None) -> bytes:
    """The issue's roster: display_name and team are formulas (=A2-style lookups) written by
    XlsxWriter; `formula_values` are the results it is told to save (None: its default, 0)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("Roster")
    sheet.write_row(0, 0, HEADER)
    for r, person in enumerate(PEOPLE, start=1):
        sheet.write_row(r, 0, person)
        for c in (1, 3):  # display_name, team
            args = [] if formula_values is None else [None, formula_values[r - 1][c]]
            sheet.write_formula(r, c, f'="{person[c]}"', *args)
    book.close()
    return out.getvalue()


def openpyxl_roster() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Roster"
    sheet.append(HEADER)
    for person in PEOPLE:
        sheet.append([person[0], f'="{person[1]}"', person[2], f'="{person[3]}"', *person[4:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_excel_saves_it(data: bytes, results: dict[str, str]) -> bytes:
    """`data` as Excel leaves it after opening and saving: each formula cell with its result (`results`,
    by cell, as text: t="str"), and the workbook no longer asking to be recalculated on opening."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                for cell, value in results.items():
                    text, count = re.subn(rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/>',
                                          rf'<c r="{cell}" t="str"><f>\2</f><v>{value}</v>', text)
                    assert count == 1, cell
                body = text.encode()
            if item.filename == "xl/workbook.xml":
                body = body.replace(b' fullCalcOnLoad="1"', b"")
            target.writestr(item, body)
    return out.getvalue()


def test_xlsxwriter_formulas_without_results_refuse_the_roster_naming_the_cells():
    # Today's fault: three people named "0" in team "0". Now: refused, every cell named.
    with pytest.raises(UnreadableTable) as caught:
        read_table_bytes(xlsxwriter_roster(), "staff.xlsx", "a roster", ("roster",))
    message = str(caught.value)
    assert "cells B2, D2, B3, D3, B4 and D4 hold formulas with no calculated result saved" in message
    assert "Open the file in Excel and save it" in message and "Paste Special, Values" in message


def test_openpyxl_formulas_without_results_refuse_the_roster_naming_the_cells():
    # Today's fault: refused as "empty" for cells that Excel shows filled.
    with pytest.raises(UnreadableTable) as caught:
        read_table_bytes(openpyxl_roster(), "staff.xlsx", "a roster", ("roster",))
    assert "cells B2, D2, B3, D3, B4 and D4 hold formulas" in str(caught.value)
    assert "is empty" not in str(caught.value)


def test_formula_results_saved_by_excel_are_read_as_the_cells_show_them():
    results = {f"{col}{r}": PEOPLE[r - 2][c] for r in (2, 3, 4) for col, c in (("B", 1), ("D", 3))}
    table = read_table_bytes(as_excel_saves_it(openpyxl_roster(), results), "staff.xlsx", "a roster")
    entries = parse_roster(table.rows, table.header)
    assert [(e.display_name, e.team) for e in entries] == [(p[1], p[3]) for p in PEOPLE]


def test_results_a_program_saved_with_its_formulas_are_read():
    table = read_table_bytes(xlsxwriter_roster(PEOPLE), "staff.xlsx", "a roster")
    assert [(row["display_name"], row["team"]) for row in table.rows] == [(p[1], p[3]) for p in PEOPLE]


def test_one_formula_without_result_is_named_alone_and_many_are_counted():
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["case_ref", "n"])
    sheet.write_row(1, 0, ["CR-1", 1])
    sheet.write_formula(1, 1, "=1-1")
    book.close()
    with pytest.raises(UnreadableTable, match="cell B2 holds a formula with no calculated result"):
        read_table_bytes(out.getvalue(), "list.xlsx")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["case_ref", "n"])
    for r in range(1, 16):
        sheet.write_formula(r, 0, f'="CR-{r}"')
    book.close()
    with pytest.raises(UnreadableTable, match=r"cells A2, A3, .*, A11 and 5 more hold formulas"):
        read_table_bytes(out.getvalue(), "list.xlsx")


def test_a_formula_showing_an_error_refuses_the_file():
    data = as_excel_saves_it(openpyxl_roster(), {"B2": "Ann Ash", "D2": "Team A", "B3": "Bo Bell", "D3": "Team A",
                                                 "B4": "Cy Cole", "D4": "Team A"})
    data = _rewrite_sheet(data, lambda text: text.replace('<c r="D3" t="str"><f>"Team A"</f><v>Team A</v>',
                                                          '<c r="D3" t="e"><f>#REF!</f><v>#REF!</v>'))
    with pytest.raises(UnreadableTable, match="cell D3 shows an error from a formula"):
        read_table_bytes(data, "staff.xlsx")


def _rewrite_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = change(body.decode()).encode()
            target.writestr(item, body)
    return out.getvalue()


def test_a_formula_whose_saved_result_is_empty_text_is_an_empty_cell():
    # =IF(A2="","",A2) as Excel saves it: t="str" and an empty <v>.
    data = as_excel_saves_it(openpyxl_roster(), {"B2": "", "D2": "Team A", "B3": "Bo Bell", "D3": "Team A",
                                                 "B4": "Cy Cole", "D4": "Team A"})
    table = read_table_bytes(data, "staff.xlsx")
    assert table.rows[0]["display_name"] == "" and table.rows[1]["display_name"] == "Bo Bell"


# -- Excel's separator hint --------------------------------------------------------------------

@pytest.mark.parametrize("line, separator", [
    ("sep=,", ","), ("sep=;", ";"), ("sep=\t", "\t"), ("sep=\\t", "\t"), ("SEP=;", ";"), ("sep=|", "|"),
    ('"sep=;"', ";"), ("sep=;\r", ";"),
    ("sep=", None), ("sep=ab", None), ("email,display_name", None), ("separator=;", None), ("sep=a", None),
])
def test_the_separator_a_first_line_names(line, separator):
    assert csv_separator(line) == separator


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_a_csv_with_excels_separator_hint_is_read_with_that_separator(separator, bom, newline):
    lines = [f"sep={separator}", separator.join(HEADER), *(separator.join(p) for p in PEOPLE)]
    data = bom + newline.join(lines).encode() + newline.encode()
    table = read_table_bytes(data, "staff.csv", "a roster")
    assert table.header == HEADER
    assert [e.email for e in parse_roster(table.rows, table.header)] == [p[0] for p in PEOPLE]


def test_semicolons_without_a_hint_are_still_refused_as_the_wrong_separator():
    data = "\n".join(";".join(row) for row in [HEADER, *PEOPLE]).encode()
    table = read_table_bytes(data, "staff.csv")
    with pytest.raises(RosterProblems, match="separated by semicolons"):
        parse_roster(table.rows, table.header)


# -- limits, before parsing --------------------------------------------------------------------

def big_csv(rows: int) -> bytes:
    return ("\n".join([",".join(HEADER)] + [f"p{i}@council.gov.uk,P {i},practitioner,T,A,,,," for i in range(rows)])
            + "\n").encode()


def test_rows_up_to_the_limit_are_read_and_one_more_is_refused_saying_so():
    limits = ReadLimits(max_rows=50)
    assert len(read_table_bytes(big_csv(50), "staff.csv", limits=limits).rows) == 50
    with pytest.raises(UnreadableTable, match=r"more than the 50 the bot reads \(QA_FILE_MAX_ROWS\)"):
        read_table_bytes(big_csv(51), "staff.csv", limits=limits)


def test_a_workbook_saying_it_has_too_many_rows_is_refused_before_its_rows_are_parsed(monkeypatch):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    for r in range(61):
        sheet.write_row(r, 0, ["email", "x"] if r == 0 else [f"p{r}@council.gov.uk", r])
    book.close()
    import openpyxl.worksheet._reader as reader

    def no_parsing(self):
        raise AssertionError("the rows were parsed")
    monkeypatch.setattr(reader.WorkSheetParser, "parse", no_parsing)
    with pytest.raises(UnreadableTable, match="has 60 rows below its header, more than the 50"):
        read_table_bytes(out.getvalue(), "staff.xlsx", limits=ReadLimits(max_rows=50))


def test_a_workbook_with_a_wrong_size_is_counted_as_it_streams():
    # Some exporters write <dimension ref="A1"/>: the count while streaming still stops it.
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    for r in range(61):
        sheet.write_row(r, 0, ["email"] if r == 0 else [f"p{r}@council.gov.uk"])
    book.close()
    data = _rewrite_sheet(out.getvalue(), lambda text: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1"/>',
                                                              text))
    with pytest.raises(UnreadableTable, match="has more rows below its header, more than the 50"):
        read_table_bytes(data, "staff.xlsx", limits=ReadLimits(max_rows=50))


def test_a_sheet_formatted_far_below_its_data_is_read():
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["email"])
    sheet.write_row(1, 0, ["a@council.gov.uk"])
    sheet.write_row(3, 0, ["b@council.gov.uk"])
    book.close()
    table = read_table_bytes(out.getvalue(), "staff.xlsx", limits=ReadLimits(max_rows=5))
    assert [r["email"] for r in table.rows] == ["a@council.gov.uk", "", "b@council.gov.uk"]  # row 3 kept blank


def test_a_file_bigger_unpacked_than_the_limit_is_refused_unparsed():
    limits = ReadLimits(max_unzipped_bytes=1 * MB)
    with pytest.raises(UnreadableTable, match=r"more than the 1 MB the bot reads \(QA_FILE_MAX_UNZIPPED_MB\)"):
        read_table_bytes(b"email\n" + b"a@council.gov.uk\n" * 70_000, "staff.csv", limits=limits)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 200_000)  # 1.2 MB unpacked
    with pytest.raises(UnreadableTable, match="MB when unpacked"):
        check_limits(out.getvalue(), "bomb.xlsx", limits)


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * MB))
    data = out.getvalue()
    assert len(data) < MB // 10
    with pytest.raises(UnreadableTable, match="compressed .* to 1, far more than any spreadsheet"):
        read_table_bytes(data, "list.xlsx", limits=ReadLimits(max_unzipped_bytes=100 * MB))


def test_a_file_on_disk_bigger_than_the_limit_is_not_even_read(tmp_path, monkeypatch):
    path = tmp_path / "staff.csv"
    path.write_bytes(b"email\n" + b"a@council.gov.uk\n" * 70_000)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(UnreadableTable, match="MB when unpacked"):
        read_table(path, limits=ReadLimits(max_unzipped_bytes=1 * MB))


def test_header_only_reads_the_header_and_stops():
    """What files in chat read to tell a file's kind (capabilities/intake/take.py): the header, no rows;
    the rows (here a formula without a result in row 2) are left to the kind's own import."""
    unsaved = xlsxwriter_roster()
    with pytest.raises(UnreadableTable):
        read_table_bytes(unsaved, "roster.xlsx", "a roster")
    for data, name in ((unsaved, "roster.xlsx"),
                       ((",".join(HEADER) + "\n" + "\n".join(",".join(p) for p in PEOPLE)).encode(), "r.csv")):
        table = read_table_bytes(data, name, "a roster", header_only=True)
        assert (table.header, table.rows) == (HEADER, []), name
