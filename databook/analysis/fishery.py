"""Fishery: sea-catch sales per management entity against the averages.

漁業センサス (農林水産省, every five years: 2008, 2013, 2018, 2023) counts
漁業経営体 and their 海面漁獲物等販売金額. Sales per entity is the sales total
divided by the number of entities, for the area, its prefecture and the
nation. The prefecture and the nation are their own rows (area codes 14000
and 00000, as a declared table reads them) when the table has them, and the
sums of their municipalities otherwise. Where a census gives only counts by
sales class (販売金額規模別経営体数), `with_estimated_sales` estimates each
area's sales from the class midpoints, and the chapter says so.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import pandas as pd

from databook.analysis.common import Area
from databook.analysis.quotes import QUOTE_NOTE, quoted_figure, quoted_rows
from databook.errors import InputError
from databook.formatting import format_period, format_period_short, format_quantity
from databook.inputs import Inputs
from databook.model import Column, Dataset, Finding, KeyFigure, Table

ENTITIES = "漁業経営体数"
SALES = "海面漁獲物等販売金額"
SALES_CLASSES = "販売金額規模別経営体数"
"""Prefix of entity counts by sales class (…／1億円以上)."""
NATION = "00000"
YEN_UNITS = {"万": 10_000, "億": 100_000_000}
_AMOUNT = r"([\d.]+)\s*(万|億)?"
_UNDER = re.compile(rf"^{_AMOUNT}円未満$")
_OVER = re.compile(rf"^{_AMOUNT}円以上$")
_RANGE = re.compile(rf"^{_AMOUNT}円?[～~〜-]{_AMOUNT}円(?:未満)?$")

ESTIMATE_NOTE = (
    "販売金額は、販売金額規模別の経営体数に各規模の中央の金額を掛けて合計した推計値です。"
    "上限のない最も大きい規模は、その下限の金額で数えています。"
)


def estimate_sales(
    counts: pd.Series, classes: dict[str, tuple[float, float | None]]
) -> float:
    """Estimate total sales from entity counts by sales class.

    `classes` maps a class label to its (lower, upper) bounds in yen; an open
    top class (upper None) counts at its lower bound, so the estimate is low
    where such entities are many. Labels absent from `counts` add nothing.
    """
    total = 0.0
    for label, (lower, upper) in classes.items():
        count = counts.get(label, 0.0)
        if pd.isna(count):
            continue
        value = lower if upper is None else (lower + upper) / 2
        total += count * value
    return total


def sales_class_bounds(label: str) -> tuple[float, float | None] | None:
    """Return a sales class's (lower, upper) bounds in yen, or None if unreadable.

    Reads class names of the form 販売金額なし, 100万円未満, 100～500万円,
    5,000万～1億円 and 10億円以上. The upper bound is None for the open top
    class. A range's first number takes the unit of the second when
    it has none of its own (100～500万円).
    """
    # NOTE: no real 販売金額規模別 table was at hand to check its headings, so
    # a heading without its unit (万円, 億円) is rejected rather than guessed.
    text = unicodedata.normalize("NFKC", label).replace(",", "").replace(" ", "")
    if text in ("販売金額なし", "販売なし"):
        return 0.0, 0.0
    if match := _UNDER.match(text):
        return 0.0, _yen(match[1], match[2])
    if match := _OVER.match(text):
        return _yen(match[1], match[2]), None
    if match := _RANGE.match(text):
        upper_unit = match[4]
        if upper_unit is None:
            return None
        return _yen(match[1], match[2] or upper_unit), _yen(match[3], upper_unit)
    return None


def _yen(number: str, unit: str | None) -> float:
    return float(number) * YEN_UNITS.get(unit or "", 1)


def with_estimated_sales(table: Dataset) -> tuple[Dataset, bool]:
    """Add estimated sales rows to a table that has sales classes but no sales.

    Each area and census year gets `SALES` = `estimate_sales` of its class
    counts, and `ENTITIES` = the sum of the counts where the table has none.
    Return the table and whether anything was estimated. A class name that
    `sales_class_bounds` cannot read raises an InputError.
    """
    frame = table.frame
    prefix = f"{SALES_CLASSES}／"
    counts = frame[frame["indicator"].str.startswith(prefix)]
    if counts.empty or (frame["indicator"] == SALES).any():
        return table, False
    labels = counts["indicator"].str.removeprefix(prefix)
    bounds = {label: sales_class_bounds(label) for label in labels.unique()}
    unreadable = [label for label, bound in bounds.items() if bound is None]
    if unreadable:
        raise InputError(
            f"販売金額規模「{unreadable[0]}」の金額の範囲を読み取れません。",
            place=f"項目 {SALES_CLASSES}",
            hint="規模の名前を「100万円未満」「100～500万円」「1億円以上」の"
            "ように、単位（万円・億円）をつけて書いてください。",
        )

    has_entities = (frame["indicator"] == ENTITIES).any()
    estimates = []
    keys = ["area_code", "area_name", "period"]
    for (code, name, period), group in counts.assign(label=labels).groupby(keys):
        by_class = group.set_index("label")["value"]
        if by_class.isna().all():
            continue
        first = group.iloc[0]
        row = {**first.to_dict(), "area_code": code, "area_name": name}
        row.update(period=period, status="")
        estimates.append({**row, "indicator": SALES, "unit": "円"})
        estimates[-1]["value"] = estimate_sales(by_class, bounds)
        if not has_entities:
            entities = by_class.sum(min_count=1)
            estimates.append({**row, "indicator": ENTITIES, "value": entities})
    added = pd.DataFrame(estimates, columns=frame.columns)
    frame = pd.concat([frame, added], ignore_index=True)
    return Dataset(frame, table.provenance, table.labels), True


def area_totals(dataset: Dataset, indicator: str, area: Area) -> pd.DataFrame:
    """Return an indicator for the area, its prefecture and the nation by period."""
    frame = dataset.frame[dataset.frame["indicator"] == indicator]
    prefecture_row = f"{area.prefecture_code}000"
    result = {}
    for period, rows in frame.groupby("period"):
        values = rows.set_index("area_code")["value"]
        municipalities = values[
            (values.index != NATION) & ~values.index.str.endswith("000")
        ]
        in_prefecture = municipalities[
            municipalities.index.str.startswith(area.prefecture_code)
        ]
        result[period] = {
            "area": values.get(area.code, float("nan")),
            "prefecture": values.get(prefecture_row, in_prefecture.sum()),
            "nation": values.get(NATION, municipalities.sum()),
        }
    return pd.DataFrame.from_dict(result, orient="index").sort_index()


def sales_per_entity(dataset: Dataset, area: Area) -> pd.DataFrame:
    """Return sales per entity of the area, its prefecture and the nation.

    A row per census year that has both indicators, in the unit of the sales
    (円 when a declared table scales 万円 to yen), with a column `below`
    that is True where the area's figure is below the prefectural average.
    """
    sales = area_totals(dataset, SALES, area)
    entities = area_totals(dataset, ENTITIES, area)
    periods = sales.index.intersection(entities.index)
    result = sales.loc[periods] / entities.loc[periods]
    result["below"] = result["area"] < result["prefecture"]
    return result


def analyse_fishery(inputs: Inputs, area: Area) -> Finding:
    """Entities and sales per entity, computed where data exists, else quoted."""
    finding = Finding(name="fishery")
    table = inputs.get("table")
    if table is not None:
        table, estimated = with_estimated_sales(table)
        _add_entities(finding, table, area)
        _add_sales(finding, table, area)
        if estimated and "fishery_sales" in finding.tables:
            finding.method_notes.append(ESTIMATE_NOTE)
            sales = finding.tables["fishery_sales"]
            finding.tables["fishery_sales"] = dataclasses.replace(
                sales,
                note=f"{sales.note}販売金額は販売金額規模別の経営体数からの推計値。",
            )

    rows = quoted_rows(inputs, area.code, "経営体あたり" + SALES)
    if not rows.empty:
        findings = inputs.get("findings")
        years = [format_period_short(p) for p in rows["period"]]
        finding.figures["quoted_comparison_years"] = KeyFigure(
            "、".join(years), "、".join(years), rows["period"].iloc[-1], "", ()
        )
        latest = quoted_figure(findings, rows.iloc[-1])
        finding.figures["quoted_comparison"] = latest
        finding.tables["fishery_quoted"] = _quoted_table(rows, findings)
        finding.method_notes.append(QUOTE_NOTE)

    if not finding.figures:
        finding.method_notes.append(
            f"{area.name}の漁業の数値がデータにないため、数値を示していません。"
        )
    return finding


def _add_entities(finding: Finding, table: Dataset, area: Area) -> None:
    totals = area_totals(table, ENTITIES, area).dropna(subset=["area"])
    if totals.empty:
        return
    rows = table.frame[table.frame["indicator"] == ENTITIES]
    sources = tuple(table.sources_of(rows))
    period = totals.index[-1]
    latest = totals.loc[period]
    figures = finding.figures
    figures["entities_year"] = KeyFigure(
        period, format_period(period), period, "", sources
    )
    for key, column in (
        ("entities", "area"),
        ("prefecture_entities", "prefecture"),
        ("nation_entities", "nation"),
    ):
        figures[key] = KeyFigure(
            float(latest[column]),
            format_quantity(latest[column], "経営体"),
            period,
            "経営体",
            sources,
        )
    frame = totals.reset_index(names="period")
    frame["period_label"] = frame["period"].map(format_period_short)
    finding.tables["fishery_entities"] = Table(
        id="fishery_entities",
        title=f"漁業経営体数：{area.name}・{area.prefecture}・全国",
        frame=frame,
        columns=(
            Column("period_label", "調査年", kind="text"),
            Column("area", f"{area.name}（経営体）"),
            Column("prefecture", f"{area.prefecture}（経営体）"),
            Column("nation", "全国（経営体）"),
        ),
        sources=sources,
        note="漁業センサスの調査日（11月1日）現在。",
    )


def _add_sales(finding: Finding, table: Dataset, area: Area) -> None:
    result = sales_per_entity(table, area).dropna(subset=["area"])
    if result.empty:
        return
    rows = table.frame[table.frame["indicator"].isin([SALES, ENTITIES])]
    sources = tuple(table.sources_of(rows))
    period = result.index[-1]
    figures = finding.figures
    for key, column in (
        ("sales_per_entity", "area"),
        ("prefecture_sales_per_entity", "prefecture"),
        ("nation_sales_per_entity", "nation"),
    ):
        value = result.loc[period, column] / 10_000
        figures[key] = KeyFigure(
            float(value), format_quantity(value, "万円"), period, "万円", sources
        )
    below = [format_period_short(p) for p in result.index[result["below"]]]
    figures["below_years"] = KeyFigure(
        "、".join(below), "、".join(below) or "なし", period, "", sources
    )
    frame = result.reset_index(names="period")
    frame["period_label"] = frame["period"].map(format_period_short)
    for column in ("area", "prefecture", "nation"):
        frame[column] = frame[column] / 10_000
    finding.tables["fishery_sales"] = Table(
        id="fishery_sales",
        title="1経営体当たり海面漁獲物等販売金額",
        frame=frame,
        columns=(
            Column("period_label", "調査年", kind="text"),
            Column("area", f"{area.name}（万円）", digits=1),
            Column("prefecture", f"{area.prefecture}平均（万円）", digits=1),
            Column("nation", "全国平均（万円）", digits=1),
        ),
        sources=sources,
        note="販売金額の合計 ÷ 漁業経営体数。",
    )


def _quoted_table(rows: pd.DataFrame, findings: Dataset) -> Table:
    frame = rows.assign(period_label=rows["period"].map(format_period_short))
    return Table(
        id="fishery_quoted",
        title="1経営体当たり海面漁獲物等販売金額（公表された比較）",
        frame=frame.reset_index(drop=True),
        columns=(
            Column("period_label", "漁業センサスの年", kind="text"),
            Column("statement", "比較の結果", kind="text"),
        ),
        sources=tuple(findings.sources_of(rows)),
        note="金額は公表されていないため、比較の結果だけを引用しています。",
    )
