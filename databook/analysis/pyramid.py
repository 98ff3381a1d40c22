"""Age pyramid: the municipality's population by sex and five-year age class.

The classes come from a register-table file in the layout of デジタル庁
「自治体標準オープンデータセット」地域・年齢別人口 (see
databook/sources/register_ages.py). Such a file gives one row per district
(学区, 町丁字) and sex. The pyramid adds up every district of the latest date,
unless the file has a row for the whole municipality (an empty district).
Only the municipality's totals leave this module, never a district's rows.

SSDSE-A has three age groups only, so a municipality without such a file gets
an empty finding: the chapter prints its placeholder instead of the chart.
"""

from __future__ import annotations

import re

import pandas as pd

from databook.analysis.common import Area, chart_row, credits
from databook.formatting import format_date_short, format_period, format_quantity
from databook.inputs import Inputs
from databook.model import (
    ChartSpec,
    Column,
    Dataset,
    Finding,
    KeyFigure,
    Provenance,
    Status,
    Table,
)
from databook.sources.register import AGE_BREAKDOWN
from databook.sources.register_ages import UNKNOWN_AGE, AgeBasis

MALE, FEMALE, TOTAL = "population_male", "population_female", "population"
# Series names must not contain 「（」: chart tables add the unit in brackets.
SERIES = {MALE: "男", FEMALE: "女", TOTAL: "男女計"}
INDICATOR_NAMES = {
    MALE: "人口（男）",
    FEMALE: "人口（女）",
    TOTAL: "人口（男女計）",
}
ELDERLY_LOWER = 75
"""Lower bound of the age group whose share the chapter quotes."""

_LOWER_BOUND = re.compile(r"(\d+)")


def analyse_age_pyramid(inputs: Inputs, area: Area) -> Finding:
    """Population by five-year age class and sex, from the town's age table."""
    finding = Finding(name="age_pyramid")
    town = inputs.get("register-table")
    classes = age_classes(town) if town is not None else None
    if classes is None:
        finding.method_notes.append(
            f"{area.name}の年齢別（各歳または5歳階級）の人口の表がデータにないため、"
            "人口ピラミッドを示していません。"
        )
        return finding

    sources = tuple(town.sources_of(classes.attrs["rows"]))
    period = classes.attrs["period"]
    has_sexes = MALE in classes and FEMALE in classes
    ages = classes.drop(index=UNKNOWN_AGE, errors="ignore")
    known = ages[TOTAL].sum(min_count=len(ages))
    shares = ages[TOTAL] / known * 100

    _add_figures(finding, classes, ages, shares, has_sexes, period, sources)
    finding.charts["age_pyramid"] = _pyramid_chart(
        ages, has_sexes, area, period, finding.figures, sources
    )
    finding.tables["age_pyramid"] = _pyramid_table(
        classes, shares, has_sexes, period, sources
    )
    finding.method_notes.extend(_notes(classes, has_sexes, period, sources))
    return finding


def age_classes(town: Dataset) -> pd.DataFrame | None:
    """Return the municipality's age classes on the latest date, or None.

    Index: class (0～4歳 … 100歳以上, then 不詳 if the file has it), youngest
    first. Columns: population_male and population_female when the file has
    男 and 女 rows, population (男女計, the sum of both when the file has no
    総数 rows), and `<column>_status`. A district value that is missing
    leaves the class missing, with that value's status. `attrs` contains the
    period, the rows summed, the number of districts (0 when the file has
    the municipality's own row) and the `AgeBasis` values.
    """
    frame = town.frame
    if "breakdown" not in frame:
        return None
    rows = frame[frame["breakdown"] == AGE_BREAKDOWN]
    if rows.empty:
        return None
    period = rows["period"].max()
    rows = rows[rows["period"] == period]
    whole = rows[rows["district"] == ""]
    rows = whole if not whole.empty else rows
    districts = 0 if not whole.empty else rows["district"].nunique()

    order = list(dict.fromkeys(rows["category"]))
    groups = rows.groupby(["category", "indicator"], sort=False)
    values = groups["value"].agg(lambda v: v.sum(min_count=len(v))).unstack()
    status = groups["status"].agg(lambda s: next((x for x in s if x), "")).unstack()
    values = values.reindex(order)
    status = status.reindex(order)
    if TOTAL not in values:
        if MALE not in values or FEMALE not in values:
            return None
        values[TOTAL] = values[MALE] + values[FEMALE]
        status[TOTAL] = status[MALE].where(status[MALE] != "", status[FEMALE])

    classes = values[[c for c in (MALE, FEMALE, TOTAL) if c in values]].copy()
    for column in list(classes):
        classes[f"{column}_status"] = status[column].fillna("")
    classes.index.name = "age_class"
    classes.attrs = {
        "period": period,
        "rows": rows,
        "districts": districts,
        "bases": sorted(set(rows["age_basis"]) - {""}),
    }
    return classes


def lower_bound(label: str) -> int:
    """Return the first age of a class label such as 75～79歳 or 100歳以上."""
    return int(_LOWER_BOUND.match(label)[1])


def _date_text(period: str) -> str:
    """Write a `2023-03-31` period for running text, e.g. 2023年（令和5年）3月31日."""
    month, day = int(period[5:7]), int(period[8:10])
    return f"{format_period(period)}{month}月{day}日"


def _add_figures(finding, classes, ages, shares, has_sexes, period, sources) -> None:
    figures = finding.figures

    def quantity(value: float, unit: str = "人", digits: int = 0) -> KeyFigure:
        return KeyFigure(
            float(value), format_quantity(value, unit, digits), period, unit, sources
        )

    figures["date"] = KeyFigure(period, _date_text(period), period, "", sources)
    figures["total"] = quantity(classes[TOTAL].sum())
    if has_sexes:
        figures["male"] = quantity(classes[MALE].sum())
        figures["female"] = quantity(classes[FEMALE].sum())
    # The open top class (100歳以上) spans more than five years, so it is not
    # a candidate for the largest five-year class.
    five_year = ages[TOTAL].iloc[:-1]
    largest = five_year.idxmax()
    figures["largest_class"] = KeyFigure(largest, largest, period, "", sources)
    figures["largest_class_population"] = quantity(five_year[largest])
    elderly = shares[[lower_bound(label) >= ELDERLY_LOWER for label in ages.index]]
    figures["share_75_and_over"] = quantity(elderly.sum(), "%", 1)


def _pyramid_chart(ages, has_sexes, area, period, figures, sources) -> ChartSpec:
    # figures.py draws the first of two series to the left, so 男 goes first.
    columns = (MALE, FEMALE) if has_sexes else (TOTAL,)
    rows = [
        chart_row(
            x=label,
            series=SERIES[column],
            value=ages.loc[label, column],
            indicator=column,
            indicator_name=INDICATOR_NAMES[column],
            area_code=area.code,
            area_name=area.name,
            period=period,
            unit="人",
            status=ages.loc[label, f"{column}_status"],
            source=credits(sources),
        )
        for column in columns
        for label in ages.index
    ]
    date = format_date_short(period)
    largest = figures["largest_class"].text
    first, last = ages.index[0], ages.index[-1]
    if has_sexes:
        title = f"{area.name}の人口ピラミッド（{date}現在）"
        shape = (
            f"{area.name}の{date}現在の人口ピラミッド。5歳階級別の人口を、"
            f"男性を左、女性を右に向かう横棒で、下の{first}から上の{last}まで示す。"
        )
        men, women = ages.loc[largest, MALE], ages.loc[largest, FEMALE]
        largest_text = f"男性{men:,.0f}人、女性{women:,.0f}人"
        note = "左が男性、右が女性。年齢不詳の人は含みません。"
    else:
        title = f"{area.name}の5歳階級別人口（{date}現在）"
        shape = (
            f"{area.name}の{date}現在の5歳階級別人口（男女計）の横棒グラフ。"
            f"下の{first}から上の{last}まで示す。男女別の数値はない。"
        )
        largest_text = f"{ages.loc[largest, TOTAL]:,.0f}人"
        note = "男女別の数値がないため男女計を示します。年齢不詳の人は含みません。"
    alt = (
        f"{shape}最も多い5歳階級は{largest}（{largest_text}）、"
        f"75歳以上の割合は{figures['share_75_and_over'].text}。"
    )
    return ChartSpec(
        id="age_pyramid",
        title=title,
        kind="age_pyramid",
        data=pd.DataFrame(rows),
        x_title="年齢",
        y_title="人口（人）",
        sources=sources,
        alt=alt,
        note=note,
    )


def _pyramid_table(classes, shares, has_sexes, period, sources) -> Table:
    frame = classes.reset_index()
    total = {"age_class": "総数"}
    for column in (MALE, FEMALE, TOTAL):
        if column in classes:
            total[column] = classes[column].sum(min_count=len(classes))
            total[f"{column}_status"] = ""
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["share"] = frame["age_class"].map(shares)
    frame["share_status"] = (
        frame["share"].isna().map({True: Status.NOT_APPLICABLE.value, False: ""})
    )

    columns = [Column("age_class", "年齢", kind="text")]
    if has_sexes:
        columns += [Column(MALE, "男（人）"), Column(FEMALE, "女（人）")]
    columns += [
        Column(TOTAL, "総数（人）" if has_sexes else "男女計（人）"),
        Column("share", "割合（%）", kind="percent", digits=1),
    ]
    return Table(
        id="age_pyramid",
        title=f"5歳階級別人口（{format_date_short(period)}現在）",
        frame=frame,
        columns=tuple(columns),
        sources=sources,
        note="割合は、年齢不詳を除いた人口に対する各階級の割合。",
    )


def _notes(classes, has_sexes, period, sources: tuple[Provenance, ...]) -> list[str]:
    districts = classes.attrs["districts"]
    scope = f"{districts}地区の合計" if districts else "市町村全体の行"
    labels = [label for label in classes.index if label != UNKNOWN_AGE]
    bases = {
        AgeBasis.FIVE_YEAR.value: (
            f"ファイルの5歳階級の列（{labels[0]}から{labels[-2]}まで）と"
            f"{labels[-1]}の列の値"
        ),
        AgeBasis.SINGLE_YEAR.value: "ファイルの各歳の列を5歳ごとに合計した値",
    }
    basis = "と、".join(bases[b] for b in classes.attrs["bases"])
    notes = [
        f"5歳階級別人口は、{credits(sources)}の{_date_text(period)}現在の人口"
        f"（{scope}）です。各階級は{basis}です。"
    ]
    unknown = classes.loc[UNKNOWN_AGE, TOTAL] if UNKNOWN_AGE in classes.index else None
    if unknown is not None and unknown > 0:
        notes.append(
            f"年齢不詳の{unknown:,.0f}人はグラフに含めず、表に別に示しています。"
            "割合は年齢不詳を除いた人口に対する割合です。"
        )
    if not has_sexes:
        notes.append(
            "ファイルに男女別（性別が男・女）の行がないため、男女計だけを示しています。"
        )
    return notes
