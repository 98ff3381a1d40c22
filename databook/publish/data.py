"""Tables and CSV files behind charts and tables, shared by the site and the PDF.

CSV files are UTF-8 with a byte order mark, so that Excel opens them with the
Japanese intact. They hold raw numbers (no separators, no △) and a status
column that says why a value is missing.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import pandas as pd

from databook.formatting import format_number
from databook.model import ChartSpec, Status, Table

STATUS_LABELS = {
    "": "",
    Status.NOT_SURVEYED.value: "数値なし",
    Status.SUPPRESSED.value: "秘匿",
    Status.NOT_APPLICABLE.value: "該当なし",
    Status.UNKNOWN.value: "不詳",
}

CHART_CSV_COLUMNS = {
    "series": "系列",
    "indicator": "指標コード",
    "indicator_name": "指標",
    "area_code": "地域コード",
    "area_name": "地域",
    "period": "期間",
    "value": "値",
    "unit": "単位",
    "status": "状態",
    "source": "出典",
}


@dataclass(frozen=True)
class HtmlTable:
    """Cells of a table as printed, first column as row headers."""

    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    """Whether each column holds numbers (right-aligned)."""
    emphasised_rows: frozenset[int] = frozenset()


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _raw(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def chart_csv(spec: ChartSpec) -> bytes:
    """Return the tidy rows behind a chart as CSV bytes, values at full precision.

    `ChartSpec.digits` only rounds what is printed. The CSV is the open data
    behind the chart, so it keeps every digit, as the published tables' CSVs
    do: values that print the same (two 特化係数 of 1.00) can still be
    compared and recomputed. The Excel download keeps the full value too and
    shows the stated decimals through its number format.
    """
    frame = spec.data[list(CHART_CSV_COLUMNS)].copy()
    frame["value"] = frame["value"].map(_raw)
    frame["status"] = frame["status"].map(STATUS_LABELS)
    return _csv_bytes(frame.rename(columns=CHART_CSV_COLUMNS))


def chart_table(spec: ChartSpec) -> HtmlTable:
    """Return a chart's values as a table: one row per x, one column per series."""
    unit = spec.data["unit"].iloc[0]
    digits = spec.value_digits
    series = list(dict.fromkeys(spec.data["series"]))
    xs = list(dict.fromkeys(spec.data["x"]))
    lookup = {(r.x, r.series): (r.value, r.status) for r in spec.data.itertuples()}
    rows = []
    for x in xs:
        cells = [x]
        for name in series:
            value, status = lookup.get((x, name), (None, Status.NOT_SURVEYED.value))
            cells.append(format_number(value, digits, status=status))
        rows.append(cells)
    headers = [
        spec.x_title or "",
        *(f"{name}（{unit}）" if unit else name for name in series),
    ]
    emphasised = frozenset(i for i, x in enumerate(xs) if x == spec.highlight)
    return HtmlTable(headers, rows, [False, *([True] * len(series))], emphasised)


def table_cells(table: Table, emphasise: str | None = None) -> HtmlTable:
    """Return a published table's cells as printed."""
    rows = []
    emphasised = set()
    for index, record in enumerate(table.frame.to_dict("records")):
        cells = []
        for column in table.columns:
            value = record[column.key]
            if column.kind == "text":
                cells.append(str(value))
            elif column.kind == "rank" and not pd.isna(value):
                cells.append(f"{int(value)}")
            else:
                status = record.get(f"{column.key}_status", "") or ""
                cells.append(format_number(value, column.digits, status=status))
        if emphasise and emphasise in (
            record.get("area_name"),
            record.get("area_code"),
        ):
            emphasised.add(index)
        rows.append(cells)
    numeric = [column.kind != "text" for column in table.columns]
    return HtmlTable(
        [c.label for c in table.columns], rows, numeric, frozenset(emphasised)
    )


def table_csv(table: Table) -> bytes:
    """Return a published table as CSV bytes: its columns, raw numbers, status."""
    out = pd.DataFrame()
    for column in table.columns:
        values = table.frame[column.key]
        out[column.label] = values if column.kind == "text" else values.map(_raw)
    status_columns = [c for c in table.frame.columns if c.endswith("_status")]
    if status_columns:
        labels = {c.key: c.label for c in table.columns}
        notes = []
        for record in table.frame[status_columns].to_dict("records"):
            missing = []
            for key, value in record.items():
                column = key.removesuffix("_status")
                if value and column in labels:
                    missing.append(f"{labels[column]}: {STATUS_LABELS[value]}")
            notes.append("、".join(missing))
        out["状態"] = notes
    return _csv_bytes(out)
