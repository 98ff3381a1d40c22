"""Downloads behind every chart and table: JSON, Excel, one workbook, a catalogue.

The site doubles as the town's open-data distribution: every chart and table
is offered as CSV (databook.publish.data), JSON and Excel, the whole book as
one workbook, and `catalogue.json` lists every dataset with its source,
licence, period and files, so that a harvester can read it.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from databook.model import ChartSpec, Table, credit_text
from databook.publish.book import Book
from databook.publish.chapters import ChartBlock, TableBlock
from databook.publish.data import CHART_CSV_COLUMNS, STATUS_LABELS


def number_format(digits: int) -> str:
    """Return an Excel number format with `digits` decimals and △ for negatives."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return f'{pattern};"△"{pattern}'


@dataclass(frozen=True)
class Entry:
    """One downloadable dataset: a chart or a table of the book."""

    id: str
    """File stem under data/, e.g. vital or table-age_structure."""
    number: str
    title: str
    block: ChartBlock | TableBlock

    @property
    def sources(self):
        if isinstance(self.block, ChartBlock):
            return self.block.spec.sources
        return self.block.table.sources


def entries(book: Book) -> list[Entry]:
    """Return every chart and table of the book in reading order."""
    found = []
    for chapter in book.chapters:
        for part in chapter.parts:
            if isinstance(part, ChartBlock):
                found.append(Entry(part.spec.id, part.number, part.spec.title, part))
            elif isinstance(part, TableBlock):
                entry_id = f"table-{part.table.id}"
                found.append(Entry(entry_id, part.number, part.table.title, part))
    return found


def _number(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _rows(entry: Entry) -> tuple[list[str], list[list]]:
    """Return headers and raw rows: the tidy rows of a chart, the columns of a table."""
    if isinstance(entry.block, ChartBlock):
        frame = entry.block.spec.data
        headers = list(CHART_CSV_COLUMNS.values())
        rows = []
        for record in frame[list(CHART_CSV_COLUMNS)].to_dict("records"):
            record["value"] = _number(record["value"])
            record["status"] = STATUS_LABELS[record["status"]]
            rows.append(list(record.values()))
        return headers, rows

    table: Table = entry.block.table
    headers = [column.label for column in table.columns]
    rows = [
        [
            record[column.key] if column.kind == "text" else _number(record[column.key])
            for column in table.columns
        ]
        for record in table.frame.to_dict("records")
    ]
    return headers, rows


def entry_json(entry: Entry) -> bytes:
    """Return a dataset as JSON: what it is, where it is from, and its rows."""
    headers, rows = _rows(entry)
    document = {
        "id": entry.id,
        "number": entry.number,
        "title": entry.title,
        "source": "出典：" + credit_text(entry.sources),
        "licences": sorted({s.licence for s in entry.sources if s.licence}),
        "columns": headers,
        "rows": [dict(zip(headers, row, strict=True)) for row in rows],
    }
    if isinstance(entry.block, ChartBlock):
        document["description"] = entry.block.spec.alt
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _write_sheet(sheet, entry: Entry) -> None:
    headers, rows = _rows(entry)
    sheet["A1"] = f"{entry.number} {entry.title}"
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = "出典：" + credit_text(entry.sources)
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        sheet.append(row)

    digits = _digits(entry)
    for column_cells in sheet.iter_cols(min_row=5):
        for cell in column_cells:
            if isinstance(cell.value, int | float):
                cell.number_format = number_format(digits.get(cell.column, 0))
    for index, header in enumerate(headers, start=1):
        width = max(10, min(40, len(str(header)) * 2 + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A5"


def _digits(entry: Entry) -> dict[int, int]:
    """Return the decimal places of each numeric column (1-based)."""
    if isinstance(entry.block, TableBlock):
        return {i: c.digits for i, c in enumerate(entry.block.table.columns, start=1)}
    spec: ChartSpec = entry.block.spec
    value_column = list(CHART_CSV_COLUMNS).index("value") + 1
    return {value_column: spec.value_digits}


def _sheet_title(entry: Entry) -> str:
    # Excel sheet names: at most 31 characters, none of []:*?/\.
    return entry.number.translate(str.maketrans("[]:*?/\\", "_______"))[:31]


def entry_xlsx(entry: Entry) -> bytes:
    """Return one dataset as an Excel workbook of one sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(entry)
    _write_sheet(sheet, entry)
    return _save(workbook)


def book_xlsx(book: Book) -> bytes:
    """Return every chart's and table's data in one workbook, with a contents sheet."""
    workbook = Workbook()
    contents = workbook.active
    contents.title = "目次"
    contents["A1"] = f"{book.title}（{book.edition}年版）"
    contents["A1"].font = Font(bold=True, size=12)
    contents.append([])
    contents.append(["番号", "題名", "シート"])
    for cell in contents[3]:
        cell.font = Font(bold=True)
    for entry in entries(book):
        sheet = workbook.create_sheet(_sheet_title(entry))
        _write_sheet(sheet, entry)
        contents.append([entry.number, entry.title, sheet.title])
        link = contents.cell(row=contents.max_row, column=3)
        link.hyperlink = f"#'{sheet.title}'!A1"
    contents.column_dimensions["B"].width = 60
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def catalogue(book: Book, files: dict[str, list[tuple[str, str]]]) -> bytes:
    """Return catalogue.json: every dataset with its source, licence, period and files.

    `files` maps an entry id to (format, relative URL) pairs.
    """
    datasets = []
    for entry in entries(book):
        headers, rows = _rows(entry)
        periods = []
        if isinstance(entry.block, ChartBlock):
            periods = sorted(set(entry.block.spec.data["period"]))
        datasets.append(
            {
                "identifier": entry.id,
                "title": f"{entry.number} {entry.title}",
                "publisher": book.publisher,
                "spatial": f"{book.prefecture}{book.municipality}（{book.area_code}）",
                "temporal": f"{periods[0]}/{periods[-1]}" if periods else None,
                "source": credit_text(entry.sources),
                "license": sorted({s.licence for s in entry.sources}),
                "columns": headers,
                "rows": len(rows),
                "distributions": [
                    {"format": fmt, "downloadURL": url}
                    for fmt, url in files.get(entry.id, [])
                ],
            }
        )
    document = {
        "title": f"{book.title}（{book.edition}年版）のデータ",
        "publisher": book.publisher,
        "language": "ja",
        "issued": book.built_on_iso,
        "datasets": datasets,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
