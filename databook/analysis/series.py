"""Series from declared tables (`kind: table`): one chart and one table each.

A town's own counts (web visits, SNS followers, event counts) and the rows of
a prefectural table that concern the book's area become, per indicator, a line
chart `series-<項目名>`, a table `series-<項目名>` and a key figure
`series.<項目名>` (the latest value), each citing the 出典 the table declares.
"""

from __future__ import annotations

import pandas as pd

from databook.analysis.common import Area, chart_row, credits
from databook.formatting import format_period, format_period_short, format_quantity
from databook.inputs import Inputs
from databook.model import ChartSpec, Column, Dataset, Finding, KeyFigure, Table

PREFIX = "series-"


def analyse_series(inputs: Inputs, area: Area) -> Finding:
    """Chart and tabulate every declared-table indicator of the book's area."""
    finding = Finding(name="series")
    dataset = inputs.get("table")
    own = (
        dataset.frame[dataset.frame["area_code"] == area.code]
        if dataset is not None
        else pd.DataFrame()
    )
    if own.empty:
        finding.method_notes.append(
            f"{area.name}の値を含む表（kind: table）がないため、数値を示していません。"
        )
        return finding

    for indicator in own["indicator"].unique():
        rows = own[own["indicator"] == indicator].sort_values("period")
        # A table with months and yearly totals (months_in_columns and
        # columns) is charted by year: one line cannot mix months and years.
        yearly = rows[rows["period_kind"] != "month"]
        if not yearly.empty:
            rows = yearly
        sources = tuple(dataset.sources_of(rows))
        key = f"{PREFIX}{indicator}"
        finding.charts[key] = _chart(key, indicator, rows, dataset, area, sources)
        finding.tables[key] = _table(key, indicator, rows, sources)
        present = rows[rows["value"].notna()]
        if not present.empty:
            last = present.iloc[-1]
            finding.figures[indicator] = KeyFigure(
                value=float(last["value"]),
                text=format_quantity(float(last["value"]), last["unit"]),
                period=format_period(last["period"]),
                unit=last["unit"],
                sources=sources,
            )
    return finding


def _chart(key, indicator, rows, dataset: Dataset, area: Area, sources) -> ChartSpec:
    unit = rows["unit"].iloc[0]
    points = []
    for _, row in rows[rows["value"].notna()].iterrows():
        points.append(
            chart_row(
                x=format_period_short(row["period"]),
                series=area.name,
                value=row["value"],
                indicator=indicator,
                indicator_name=dataset.labels.get(indicator, indicator),
                area_code=area.code,
                area_name=area.name,
                period=row["period"],
                unit=unit,
                status=row["status"],
                source=credits(sources),
            )
        )
    data = pd.DataFrame(points)
    if data.empty:
        alt = f"{area.name}の{indicator}の値はありません。"
    else:
        first, last = data.iloc[0], data.iloc[-1]
        alt = (
            f"{area.name}の{indicator}の{first['x']}から{last['x']}までの折れ線グラフ。"
            f"{last['x']}は{format_quantity(last['value'], unit)}。"
        )
    return ChartSpec(
        id=key,
        title=f"{area.name}の{indicator}",
        kind="line",
        data=data,
        x_title="年",
        y_title=f"{indicator}（{unit}）" if unit else indicator,
        sources=sources,
        alt=alt,
    )


def _table(key, indicator, rows, sources) -> Table:
    unit = rows["unit"].iloc[0]
    frame = pd.DataFrame(
        {
            "period_label": rows["period"].map(format_period_short).to_list(),
            "value": rows["value"].to_list(),
            "value_status": rows["status"].to_list(),
        }
    )
    digits = 0 if frame["value"].dropna().mod(1).eq(0).all() else 1
    label = f"{indicator}（{unit}）" if unit else indicator
    return Table(
        id=key,
        title=indicator,
        frame=frame,
        columns=(
            Column("period_label", "年", kind="text"),
            Column("value", label, digits=digits),
        ),
        sources=sources,
    )
