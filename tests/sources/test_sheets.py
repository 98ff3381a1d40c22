"""Opening spreadsheets that are damaged or not what their extension claims."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from databook.errors import InputError
from databook.sources.sheets import read_sheets

TEST_DATA = Path(__file__).resolve().parents[1] / "data"
# A real .xls (神戸市の市民経済計算, see tests/data/SOURCES.md), cut or renamed.
REAL_XLS = TEST_DATA / "tables" / "kobe_24keizaikeisann.xls"
GARBAGE = bytes(range(256)) * 8
# Words of xlrd's, openpyxl's and zipfile's own messages.
LIBRARY_WORDS = re.compile(
    r"Error|Unsupported|corrupt|BOF|[Ff]ile is|zip file|There is no|"
    r"Expected|unclosed|truncated|not supported|array index"
)


def open_file(tmp_path: Path, name: str, data: bytes) -> InputError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as raised:
        read_sheets(path, display_path=f"data/raw/{name}")
    error = raised.value
    assert error.file == f"data/raw/{name}"
    assert error.hint
    assert LIBRARY_WORDS.search(error.message + error.hint) is None, error.message
    return error


def empty_xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def test_garbage_xls(tmp_path):
    error = open_file(tmp_path, "table.xls", GARBAGE)
    assert "Excel 97-2003 ブック（.xls）として開けません" in error.message
    assert "XLRDError" in error.detail


def test_garbage_xlsx(tmp_path):
    error = open_file(tmp_path, "table.xlsx", GARBAGE)
    assert "Excel ブック（.xlsx）として開けません" in error.message
    assert "BadZipFile" in error.detail


def test_truncated_real_xls(tmp_path, capsys):
    data = REAL_XLS.read_bytes()
    error = open_file(tmp_path, "table.xls", data[: len(data) // 3])
    assert "壊れているか、途中で切れています" in error.message
    # xlrd's own warnings go to the debug log, not to the terminal.
    assert capsys.readouterr().out == ""


def test_truncated_xlsx(tmp_path):
    data = empty_xlsx()
    error = open_file(tmp_path, "table.xlsx", data[: len(data) // 2])
    assert "壊れているか、途中で切れています" in error.message


def test_xls_named_xlsx(tmp_path):
    error = open_file(tmp_path, "table.xlsx", REAL_XLS.read_bytes())
    assert "中身は Excel 97-2003 ブック（.xls）です（拡張子は .xlsx）" in error.message
    assert "拡張子を .xls に" in error.hint


def test_xlsx_named_xls(tmp_path):
    error = open_file(tmp_path, "table.xls", empty_xlsx())
    assert "中身は Excel ブック（.xlsx）です（拡張子は .xls）" in error.message


def test_html_named_xls(tmp_path):
    page = "<html><body><table><tr><td>人口</td></tr></table></body></html>"
    error = open_file(tmp_path, "table.xls", page.encode("utf-8"))
    assert "Web ページ（HTML）" in error.message


def test_csv_named_xlsx(tmp_path):
    error = open_file(tmp_path, "table.xlsx", "年,人口\n".encode("cp932"))
    assert "文字だけのデータ（CSV など）" in error.message
    assert "拡張子を .csv に" in error.hint


def test_empty_xls(tmp_path):
    error = open_file(tmp_path, "table.xls", b"")
    assert "空です" in error.message


def test_real_xls_still_opens():
    sheets = read_sheets(REAL_XLS, display_path="kobe_24keizaikeisann.xls")
    assert sheets
