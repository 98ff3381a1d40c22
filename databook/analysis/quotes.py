"""Published findings quoted as key figures, with the page they come from."""

from __future__ import annotations

import pandas as pd

from databook.formatting import format_period_short
from databook.inputs import Inputs
from databook.model import Column, Dataset, KeyFigure, Table

QUOTE_NOTE = (
    "「（公表値）」とした数値は、データがないため、公表された資料の記載を"
    "そのまま引用したものです。出典はその資料です。"
)


def quoted_rows(
    inputs: Inputs, area_code: str, indicators: str | tuple[str, ...]
) -> pd.DataFrame:
    """Return the findings rows of the given indicators for an area, oldest first."""
    findings = inputs.get("findings")
    if findings is None:
        return pd.DataFrame()
    names = (indicators,) if isinstance(indicators, str) else indicators
    frame = findings.frame
    rows = frame[frame["indicator"].isin(names) & (frame["area_code"] == area_code)]
    return rows.sort_values("period", kind="stable")


def quoted_figure(findings: Dataset, row: pd.Series) -> KeyFigure:
    """Return a quoted finding as a key figure: its statement, period and source."""
    value = row["value"] if pd.notna(row["value"]) else row["statement"]
    return KeyFigure(
        value,
        f"{row['statement']}（公表値）",
        row["period"],
        row["unit"],
        (findings.provenance[row["source_id"]],),
    )


def quoted_table(
    table_id: str, title: str, rows: pd.DataFrame, findings: Dataset
) -> Table:
    """Return quoted findings as a table: year, item and the figure as published."""
    frame = rows.assign(period_label=rows["period"].map(format_period_short))
    return Table(
        id=table_id,
        title=title,
        frame=frame.reset_index(drop=True),
        columns=(
            Column("period_label", "年", kind="text"),
            Column("indicator", "項目", kind="text"),
            Column("statement", "公表された値", kind="text"),
        ),
        sources=tuple(findings.sources_of(rows)),
        note="公表された資料の記載をそのまま引用したもの。",
    )
