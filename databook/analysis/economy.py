"""Economy: output (市町村内総生産 or 生産額), its rank, and income from outside.

Output comes from a declared table (kind table) whose indicator is one of
`OUTPUT_NAMES` once `item_key` drops its numbering (５．市内総生産（生産側）),
with a row per municipality, e.g. a prefecture's 市町村民経済計算. Where the
table lacks the prefecture's municipalities, the published rank of a findings
file (生産額の県内順位) is quoted instead. A municipality's own accounts (市民
経済計算) add the income inflow and net sales of `databook.analysis.circulation`.
"""

from __future__ import annotations

import pandas as pd

from databook.analysis.circulation import add_circulation
from databook.analysis.common import Area, item_rows
from databook.analysis.quotes import (
    QUOTE_NOTE,
    quoted_figure,
    quoted_rows,
    quoted_table,
)
from databook.analysis.ranking import Rank, rank_of
from databook.formatting import format_oku_yen, format_period, format_rank
from databook.inputs import Inputs
from databook.model import Dataset, Finding, KeyFigure

OUTPUT_NAMES = (
    "市町村内総生産",
    "市内総生産",
    "町内総生産",
    "村内総生産",
    "市町村内総生産(生産側)",
    "市内総生産(生産側)",
    "町内総生産(生産側)",
    "村内総生産(生産側)",
    "生産額",
)
PUBLISHED_RANK = "生産額の県内順位"


def output_values(dataset: Dataset, prefecture_code: str, period: str) -> pd.Series:
    """Return the output of each municipality of a prefecture in one period.

    Prefecture rows (code ending 000) and values in another unit than 円 are
    left out. The first name of `OUTPUT_NAMES` present in the table is used,
    and an area given twice (the same sheet declared twice) keeps its first
    value.
    """
    frame = item_rows(dataset.frame[dataset.frame["unit"] == "円"], OUTPUT_NAMES)
    for name in OUTPUT_NAMES:
        rows = frame[
            (frame["item"] == name)
            & (frame["period"] == period)
            & frame["area_code"].str.startswith(prefecture_code)
            & ~frame["area_code"].str.endswith("000")
        ]
        if not rows.empty:
            return rows.drop_duplicates("area_code").set_index("area_code")["value"]
    return pd.Series(dtype="float64")


def output_rank(dataset: Dataset, area: Area, period: str) -> Rank | None:
    """Rank the area's output among its prefecture's municipalities."""
    return rank_of(output_values(dataset, area.prefecture_code, period), area.code)


def analyse_economy(inputs: Inputs, area: Area) -> Finding:
    """Output and its rank, computed where a table exists, else quoted.

    Income from outside the area is added where the table has its items.
    """
    finding = Finding(name="economy")
    table = inputs.get("table")
    if table is not None:
        _add_output(finding, table, area)
    add_circulation(finding, table, area, OUTPUT_NAMES)

    rows = quoted_rows(inputs, area.code, PUBLISHED_RANK)
    if not rows.empty:
        row = rows.iloc[-1]
        finding.figures["quoted_output_rank"] = quoted_figure(
            inputs.get("findings"), row
        )
        finding.figures["quoted_output_rank_year"] = KeyFigure(
            row["period"], format_period(row["period"]), row["period"], "", ()
        )
        finding.tables["economy_quoted"] = quoted_table(
            "economy_quoted",
            f"{area.name}の生産額の公表値",
            rows,
            inputs.get("findings"),
        )
        finding.method_notes.append(QUOTE_NOTE)
    if not {"output", "quoted_output_rank"} & set(finding.figures):
        finding.method_notes.append(
            f"{area.name}の生産額の数値がデータにないため、数値を示していません。"
        )
    return finding


def _add_output(finding: Finding, table: Dataset, area: Area) -> None:
    frame = table.frame
    # Values in another unit than 円 (a table declared without unit) are left
    # out, and add_circulation notes them.
    own = frame[(frame["area_code"] == area.code) & (frame["unit"] == "円")]
    own = item_rows(own, OUTPUT_NAMES)
    own = own.dropna(subset=["value"])
    if own.empty:
        return
    period = own["period"].max()
    values = output_values(table, area.prefecture_code, period)
    sources = tuple(table.sources_of(own[own["period"] == period]))
    value = values.get(area.code, own[own["period"] == period]["value"].iloc[0])
    figures = finding.figures
    figures["output_year"] = KeyFigure(
        period, format_period(period), period, "", sources
    )
    figures["output"] = KeyFigure(
        float(value), format_oku_yen(value), period, "円", sources
    )
    rank = rank_of(values, area.code)
    if rank and rank.count > 1:
        figures["output_rank"] = KeyFigure(
            rank.position,
            format_rank(rank.position, rank.count, area.peers),
            period,
            "位",
            sources,
        )
