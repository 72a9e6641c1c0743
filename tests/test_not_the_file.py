"""qa.tabular.not_the_file: what a download link gave instead of the .csv or .xlsx it names. Pure."""
from __future__ import annotations

import pytest

from qa.tabular import UnreadableTable, not_the_file, read_table_bytes
from tests.support.allocation_files import GOOD, csv_bytes, xlsx_bytes

SIGN_IN = (b"<!DOCTYPE html>\r\n<html dir=\"ltr\"><head><title>Sign in to your account</title></head>"
           b"<body><form method=\"post\" action=\"https://login.microsoftonline.com/\"></form></body></html>")
PAGE = "a web page (HTML), such as a sign-in or sharing page, not the file"
JSON = "a JSON message (an answer from the file's host), not the file"
NOT_XLSX = "not an Excel workbook: an .xlsx starts as a ZIP archive (PK), and these bytes do not"


@pytest.mark.parametrize("name, data, content_type, said", [
    # the file itself, however its host labels it
    ("list.xlsx", xlsx_bytes(GOOD), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None),
    ("list.xlsx", xlsx_bytes(GOOD), "application/octet-stream", None),
    ("list.xlsx", xlsx_bytes(GOOD), None, None),
    ("list.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, None, None),  # password-protected: the reader says so
    ("list.csv", csv_bytes(GOOD), "text/csv; charset=utf-8", None),
    ("list.csv", csv_bytes(GOOD, bom=True), "application/vnd.ms-excel", None),
    ("list.csv", csv_bytes(GOOD), "text/plain", None),
    ("list.csv", csv_bytes(GOOD), None, None),
    ("list.csv", b"", "application/octet-stream", None),  # an empty .csv: the reader says it is empty
    ("list.csv", "case_ref\nÀ".encode("utf-16"), None, None),  # UTF-16: the reader says save as UTF-8
    # a sign-in or sharing page, by content type or by its first bytes
    ("list.xlsx", SIGN_IN, "text/html; charset=utf-8", PAGE),
    ("list.xlsx", SIGN_IN, "application/octet-stream", PAGE),
    ("list.csv", SIGN_IN, "text/html", PAGE),
    ("list.csv", SIGN_IN, None, PAGE),
    ("list.csv", b"\xef\xbb\xbf  <html><body>Sharing link expired</body></html>", None, PAGE),
    ("list.xlsx", b"<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\"><html/>", None, PAGE),
    ("list.xlsx", b"<!-- served by SharePoint --><HTML><HEAD></HEAD></HTML>", None, PAGE),
    ("list.csv", csv_bytes(GOOD), "application/xhtml+xml", PAGE),
    ("list.xlsx", xlsx_bytes(GOOD), "text/html", PAGE),  # the host says it is a page: believed
    # an error answer in JSON
    ("list.xlsx", b'{"error":{"code":"accessDenied","message":"Access denied"}}', "application/json", JSON),
    ("list.csv", b'{"error":{"code":"itemNotFound"}}', None, JSON),
    ("list.csv", csv_bytes(GOOD), "application/json; odata.metadata=minimal", JSON),
    # bytes that cannot be the .xlsx
    ("list.xlsx", b"", None, "empty (0 bytes), not the workbook"),
    ("list.xlsx", csv_bytes(GOOD), "application/octet-stream", NOT_XLSX),
    ("list.xlsx", b"%PDF-1.7\n", "application/pdf", NOT_XLSX),
    # a content type that cannot be CSV text
    ("list.csv", b"%PDF-1.7\n", "application/pdf", "not CSV text: it came as application/pdf"),
    ("list.csv", b"\x89PNG\r\n", "image/png", "not CSV text: it came as image/png"),
])
def test_not_the_file(name, data, content_type, said):
    assert not_the_file(name, data, content_type) == said


@pytest.mark.parametrize("name", ["page.csv", "page.xlsx"])
def test_a_web_page_saved_as_the_file_is_named_as_one_when_read_from_disk(name):
    # python -m bot ... import: a link saved from a browser gives the sign-in page under the file's name.
    with pytest.raises(UnreadableTable) as caught:
        read_table_bytes(SIGN_IN, name, "an allocation list")
    assert str(caught.value) == (
        f"{name} is {PAGE}; nothing was read. Download the file itself again (open it in Excel or from "
        "SharePoint/OneDrive, not a link) and import that")


@pytest.mark.parametrize("data, said", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "list.xlsx is password-protected, or an old Excel (.xls)"),
    (b"PK\x03\x04 a broken archive", "list.xlsx is not an Excel workbook (.xlsx), or is damaged"),
])
def test_the_reader_says_password_protected_only_of_what_can_be(data, said):
    with pytest.raises(UnreadableTable) as caught:
        read_table_bytes(data, "list.xlsx", "an allocation list")
    assert str(caught.value).startswith(said)
