"""Reading spreadsheets and CSV files into grids of cells with their formats.

Municipal tables arrive as .xlsx (openpyxl), old .xls (xlrd) or CSV. Each is
read into `Sheet`s of `Cell`s that keep the stored value and the number format,
so that `databook.sources.cells` can tell a stored −12 shown as 「△12」 from
text. Merged header cells are filled from their top-left cell, because a label
such as 「人口」 merged over 男・女・計 belongs to every column it spans.
"""

from __future__ import annotations

import csv
import io
import logging
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from databook.errors import InputError
from databook.sources.cells import CellRef
from databook.sources.files import decode, read_bytes

logger = logging.getLogger(__name__)

TEXT_ENCODINGS = ("utf-8-sig", "cp932")


@dataclass(frozen=True)
class Cell:
    """A stored cell value and the number format it is shown with."""

    value: object
    """None, str, int, float or datetime, as the file stores it."""
    number_format: str | None = None
    merged: bool = False
    """True when the value was copied from the top-left cell of a merged range."""


@dataclass
class Sheet:
    """One sheet (or a whole CSV file) as rows of cells, 1-based for messages."""

    file: str
    name: str | None
    """Sheet name; None for a CSV file."""
    rows: list[list[Cell]]
    datemode: int = 0
    """Excel date system: 0 for 1900, 1 for 1904."""
    hidden_columns: set[int] = field(default_factory=set)
    """1-based numbers of hidden columns."""

    def cell(self, row: int, column: int) -> Cell:
        """Return the cell at 1-based `row` and `column`, empty outside the grid."""
        if 1 <= row <= len(self.rows):
            cells = self.rows[row - 1]
            if 1 <= column <= len(cells):
                return cells[column - 1]
        return Cell(None)

    def ref(self, row: int, column: int) -> CellRef:
        return CellRef(self.file, self.name, row, column)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def read_sheets(path: Path, *, display_path: str) -> list[Sheet]:
    """Read every sheet of an .xlsx or .xls file, or a CSV file as one sheet."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, display_path)
    if suffix == ".xls":
        return _read_xls(path, display_path)
    if suffix in (".csv", ".txt"):
        return [_read_csv(path, display_path)]
    raise InputError(
        f"拡張子 {path.suffix or '（なし）'} のファイルは読めません。",
        file=display_path,
        hint="Excel（.xlsx、.xls）か CSV（.csv）で保存して置いてください。",
    )


def select_sheet(sheets: list[Sheet], name: str | None, display_path: str) -> Sheet:
    """Return the sheet called `name`, or the first sheet when `name` is None."""
    if name is None:
        return sheets[0]
    for sheet in sheets:
        if sheet.name == name:
            return sheet
    names = "、".join(str(sheet.name) for sheet in sheets)
    raise InputError(
        f"シート「{name}」がありません（あるシート: {names}）。",
        file=display_path,
        hint="databook.yml の sheet をシート名どおりに書いてください。",
    )


def _read_csv(path: Path, display_path: str) -> Sheet:
    data = read_bytes(path, display_path=display_path)
    text, encoding = decode(data, encodings=TEXT_ENCODINGS, display_path=display_path)
    logger.debug("%s: 文字コード %s", display_path, encoding)
    rows = [
        [Cell(value) for value in row]
        for row in csv.reader(io.StringIO(text, newline=""))
    ]
    return Sheet(display_path, None, rows)


def _read_xlsx(path: Path, display_path: str) -> list[Sheet]:
    import openpyxl

    data = read_bytes(path, display_path=display_path)
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        OSError,
        EOFError,
        ElementTree.ParseError,
    ) as error:
        # openpyxl raises whatever its zip and XML readers raise on a broken
        # file; ElementTree.ParseError (a SyntaxError) comes from damaged XML.
        raise unreadable_workbook(data, ".xlsx", display_path, error) from None

    sheets = []
    for worksheet in workbook.worksheets:
        rows = [
            [Cell(cell.value, cell.number_format) for cell in row]
            for row in worksheet.iter_rows()
        ]
        for merged in worksheet.merged_cells.ranges:
            _fill_merged(
                rows, merged.min_row, merged.max_row, merged.min_col, merged.max_col
            )
        hidden = {
            index
            for letter, dimension in worksheet.column_dimensions.items()
            if dimension.hidden
            for index in range(dimension.min or 0, (dimension.max or 0) + 1)
            if index
        }
        date1904 = (
            bool(getattr(workbook, "epoch", None)) and workbook.epoch.year == 1904
        )
        sheets.append(Sheet(display_path, worksheet.title, rows, int(date1904), hidden))
    return sheets


def _read_xls(path: Path, display_path: str) -> list[Sheet]:
    import xlrd

    data = read_bytes(path, display_path=display_path)
    if not data:
        raise unreadable_workbook(data, ".xls", display_path, None)
    # xlrd writes its warnings about damaged files to `logfile` (stdout by
    # default); keep them for the debug log instead.
    warnings = io.StringIO()
    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, logfile=warnings
        )
    except (
        xlrd.XLRDError,
        xlrd.compdoc.CompDocError,
        zipfile.BadZipFile,
        IndexError,
        struct.error,
    ) as error:
        # A truncated file makes xlrd index past its sector table (IndexError)
        # or unpack short records (struct.error). Anything that starts like a
        # ZIP archive xlrd opens as one, which raises BadZipFile.
        if warnings.getvalue():
            logger.debug("%s: xlrd: %s", display_path, warnings.getvalue().strip())
        raise unreadable_workbook(data, ".xls", display_path, error) from None
    if warnings.getvalue():
        logger.debug("%s: xlrd: %s", display_path, warnings.getvalue().strip())

    sheets = []
    missing_formats: set[int] = set()
    for sheet in book.sheets():
        rows = []
        for row_index in range(sheet.nrows):
            cells = []
            for column_index in range(sheet.ncols):
                cell = sheet.cell(row_index, column_index)
                cells.append(
                    Cell(
                        _xls_value(cell, xlrd),
                        _xls_format(book, cell.xf_index, missing_formats),
                    )
                )
            rows.append(cells)
        for row_low, row_high, column_low, column_high in sheet.merged_cells:
            _fill_merged(rows, row_low + 1, row_high, column_low + 1, column_high)
        hidden = {index + 1 for index, info in sheet.colinfo_map.items() if info.hidden}
        sheets.append(Sheet(display_path, sheet.name, rows, book.datemode, hidden))

    if missing_formats:
        # Some .xls writers refer to format records they never wrote; Excel
        # shows those cells as General, and so does this reader.
        logger.debug(
            "%s: 書式 %s が見つからないため標準として読みました",
            display_path,
            sorted(missing_formats),
        )
    return sheets


OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""First bytes of a Compound File: Excel 97-2003 (.xls) workbooks."""
ZIP_SIGNATURE = b"PK\x03\x04"
"""First bytes of a ZIP archive, the container of .xlsx workbooks."""
FORMAT_NAMES = {
    ".xls": "Excel 97-2003 ブック（.xls）",
    ".xlsx": "Excel ブック（.xlsx）",
}


def unreadable_workbook(
    data: bytes, suffix: str, display_path: str, error: Exception | None
) -> InputError:
    """Return an InputError that explains why a workbook cannot be opened.

    The reason comes from the file's first bytes: empty, the other Excel
    format, a web page or text saved with an Excel extension, or damaged.
    The reader's own message is kept as the error's detail.
    """
    detail = f"{type(error).__name__}: {error}" if error is not None else None
    if detail:
        logger.debug("%s: %s", display_path, detail)
    expected = FORMAT_NAMES[suffix]
    redownload = (
        "配布元からダウンロードし直すか、Excel で開けるか確かめて保存し直してください。"
    )

    def failure(message: str, hint: str) -> InputError:
        return InputError(message, file=display_path, hint=hint, detail=detail)

    if not data:
        return failure("ファイルが空です（0 バイト）。", redownload)
    actual = _container_of(data)
    if actual == "zip":
        return failure(
            f"ファイルは ZIP 形式ですが、{expected}ではありません"
            "（Word や OpenDocument のファイルかもしれません）。",
            "Excel で開き、「名前を付けて保存」で Excel ブック（.xlsx）として"
            "保存し直してください。",
        )
    if actual is not None and actual != suffix:
        return failure(
            f"ファイルの中身は {FORMAT_NAMES[actual]}です（拡張子は {suffix}）。",
            f"ファイル名の拡張子を {actual} に変え、databook.yml のファイル名も"
            "同じに直してください。",
        )
    if actual == suffix:
        return failure(f"{expected}が壊れているか、途中で切れています。", redownload)
    head = data[:512].lstrip()
    if head.startswith(b"<") and b">" in head:
        return failure(
            f"ファイルの中身は Web ページ（HTML）で、{expected}ではありません。",
            "Excel で開き、「名前を付けて保存」で Excel ブック（.xlsx）として"
            "保存し直してください。",
        )
    if _looks_like_text(data[:4096]):
        return failure(
            f"ファイルの中身は文字だけのデータ（CSV など）で、{expected}では"
            "ありません。",
            "CSV なら拡張子を .csv にし、databook.yml のファイル名も同じに"
            "直してください。",
        )
    return failure(
        f"{expected}として開けません（形式が違うか、壊れています）。", redownload
    )


def _container_of(data: bytes) -> str | None:
    """Return ".xls", ".xlsx" or "zip" (another ZIP file) from the first bytes."""
    if data.startswith(OLE2_SIGNATURE):
        return ".xls"
    if not data.startswith(ZIP_SIGNATURE):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        # A truncated archive has lost its directory, which is at the end.
        return ".xlsx"
    return ".xlsx" if "xl/workbook.xml" in names else "zip"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in TEXT_ENCODINGS:
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            # The sample may end inside a multi-byte character.
            if error.start >= len(head) - 3:
                return True
            continue
        return True
    return False


def _xls_value(cell, xlrd) -> object:
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return cell.value


def _xls_format(book, xf_index: int | None, missing: set[int]) -> str | None:
    if xf_index is None or xf_index >= len(book.xf_list):
        return None
    key = book.xf_list[xf_index].format_key
    found = book.format_map.get(key)
    if found is None:
        missing.add(key)
        return None
    return found.format_str


def _fill_merged(
    rows: list[list[Cell]], top: int, bottom: int, left: int, right: int
) -> None:
    """Copy the top-left value of a merged range (1-based, inclusive) into it."""
    if top > len(rows) or left > len(rows[top - 1]):
        return
    origin = rows[top - 1][left - 1]
    for row in range(top, min(bottom, len(rows)) + 1):
        cells = rows[row - 1]
        for column in range(left, right + 1):
            if column > len(cells):
                cells.extend(Cell(None) for _ in range(column - len(cells)))
            if (row, column) != (top, left):
                cells[column - 1] = Cell(origin.value, origin.number_format, True)
