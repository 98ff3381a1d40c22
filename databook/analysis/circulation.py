"""Income from outside the area and net sales: the 生産・分配・支出 of an area.

A 市町村民経済計算 records an area's economy from three sides. Production
(生産) is counted where it takes place, income (分配) where its receivers
live, so the gap between the two is income that flows in from outside the
area or out of it. The expenditure side (支出) records the area's net sales to
outside it. For each fiscal year in which a declared table (kind table) has
the items for the area:

- 市内要素所得 = 雇用者報酬（市内活動） + 営業余剰・混合所得, the income that
  production inside the area generates;
- 市外からの要素所得（純） = 市民所得（要素費用表示） − 市内要素所得, positive
  when income flows in;
- 市外からの雇用者報酬（純） = 市民雇用者報酬 − 雇用者報酬（市内活動）, the pay
  of residents who work outside less the pay of non-residents who work
  inside, which follows commuting across the boundary;
- 財貨・サービスの移出入（純）, taken from the table as it is.

Where these definitions come from:

- 神戸市「平成24年度 市民経済計算」 (tests/data/tables/kobe_24keizaikeisann.xls).
  Its sheets Ⅸ (13-14年度 and the like) define 市内要素所得 (7) as 市内純生産
  (5) less 生産・輸入品に課される税（控除）補助金 (6), and split it into
  市内雇用者報酬 (8) and 営業余剰・混合所得 (9) = (7) − (8). Sheet Ⅴ-1 row 40
  gives 市民所得（要素費用表示） as 市民雇用者報酬 + 財産所得（非企業部門） +
  企業所得 (（１＋２＋３）).
- 愛知県「用語の解説<第3章>」 of 愛知県統計年鑑 (令和5(2023)年度刊,
  https://www.pref.aichi.jp/soshiki/toukei/0000079670.html): 県民所得（要素費用
  表示） is the income that residents received for providing factors of
  production, equal to 県内要素所得（純生産） plus 域外からの要素所得（純）.
- 三重県「県民経済計算の概念と用語解説(08SNA)」
  (https://www.pref.mie.lg.jp/DATABOX/31788002741_00001.htm): 県内主義（属地
  主義） counts the value added inside the prefecture whatever the residence
  of those who produced it, and 県民主義（属人主義） counts the income of
  residents wherever they earned it.
- 福井県「福井県民経済計算（平成30年度）」
  (https://www.pref.fukui.lg.jp/doc/toukei-jouhou/kenmin08sna.html): 県内総生産
  （支出側） is consumption plus investment plus 財貨・サービスの移出・移入の
  差額.

NOTE: the Aichi, Mie and Fukui pages describe the 2008SNA-based accounts. No
93SNA-based text was at hand, so the identity above is confirmed for 2008SNA
only. The Kobe workbook composes 市内要素所得 and 市民所得 of the same items.
"""

from __future__ import annotations

import pandas as pd

from databook.analysis.common import Area, chart_row, credits, item_rows
from databook.formatting import (
    format_oku_yen,
    format_period,
    format_period_short,
    format_quantity,
    format_yen_flow,
)
from databook.model import (
    ChartSpec,
    Column,
    Dataset,
    Finding,
    KeyFigure,
    PeriodKind,
    Table,
)

AREA_WORDS = ("市町村", "市", "町", "村")
"""Words a municipality's accounts put before 内 and 民: 市内総生産, 町民所得."""


def _area_names(*patterns: str) -> tuple[str, ...]:
    return tuple(p.format(area=word) for p in patterns for word in AREA_WORDS)


# Item names as `item_key` writes them (NFKC, no numbering). NOTE: only the
# 市 names occur in a real workbook here (神戸市); the 町, 村 and 市町村 names
# follow the same pattern unseen.
INSIDE_EMPLOYEE_NAMES = _area_names("雇用者報酬({area}内活動)", "{area}内雇用者報酬")
SURPLUS_NAMES = ("営業余剰・混合所得",)
RESIDENT_EMPLOYEE_NAMES = _area_names("{area}民雇用者報酬")
RESIDENT_INCOME_NAMES = _area_names("{area}民所得(要素費用表示)")
NET_EXPORT_NAMES = ("財貨・サービスの移出入(純)",)

ITEMS = {
    "inside_employee": INSIDE_EMPLOYEE_NAMES,
    "surplus": SURPLUS_NAMES,
    "resident_employee": RESIDENT_EMPLOYEE_NAMES,
    "resident_income": RESIDENT_INCOME_NAMES,
    "net_exports": NET_EXPORT_NAMES,
}
"""Columns of `circulation_frame` read from the table, besides output."""
FACTOR_ITEMS = ("inside_employee", "surplus", "resident_income")
"""Items that the income inflow needs."""
FIGURE_NAMES = (
    "circulation_first_year",
    "circulation_year",
    "domestic_factor_income",
    "resident_income",
    "factor_income_inflow",
    "income_ratio",
    "employee_income_inflow",
    "net_exports",
)
CIRCULATION = "economy_circulation"
"""Id of the chart and of the table."""
MILLION = 1e6


def circulation_frame(
    dataset: Dataset, area_code: str, output_names: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return an area's circulation by period, and the table rows it used.

    The frame has a row per period (FY2012), oldest first, and the columns
    output, inside_employee, surplus, resident_employee, resident_income and
    net_exports in 円, NaN where the table lacks the item. It adds
    inside_factor, factor_inflow, employee_inflow (円) and income_ratio (%).
    Rows in another unit than 円 (a table declared without `unit`) and month
    rows are not used.
    """
    frame = dataset.frame
    frame = frame[
        (frame["area_code"] == area_code)
        & (frame["period_kind"] != PeriodKind.MONTH.value)
        & (frame["unit"] == "円")
    ]
    names = {"output": output_names, **ITEMS}
    rows = item_rows(frame, [n for group in names.values() for n in group])
    rows = rows.dropna(subset=["value"])

    columns = {}
    used = []
    for column, group in names.items():
        found = _first_item(rows, group)
        used.append(found)
        columns[column] = found.set_index("period")["value"]
    result = pd.DataFrame(columns, columns=list(names)).sort_index()
    result.index.name = "period"

    # Sheet Ⅰ's two items add up 1 百万円 above sheet Ⅸ's 市内要素所得 in
    # FY2001 (3,261,973 + 1,303,428 = 4,565,401 against 4,565,400), because
    # the published figures are rounded.
    result["inside_factor"] = result["inside_employee"] + result["surplus"]
    result["factor_inflow"] = result["resident_income"] - result["inside_factor"]
    result["employee_inflow"] = result["resident_employee"] - result["inside_employee"]
    result["income_ratio"] = result["resident_income"] / result["inside_factor"] * 100
    return result, pd.concat(used)


def _first_item(rows: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """Return the rows of the first name in `names` that has values.

    A period given twice (the same sheet declared twice) keeps its first row.
    """
    for name in names:
        found = rows[rows["item"] == name]
        if not found.empty:
            return found.drop_duplicates("period")
    return rows.iloc[0:0]


def add_circulation(
    finding: Finding,
    table: Dataset | None,
    area: Area,
    output_names: tuple[str, ...],
) -> None:
    """Add the income inflow, net sales and their chart and table to `finding`.

    Without the three items of the income inflow in any year, the chart,
    table and figures are listed in `finding.absent` instead.
    """
    word = area_word(area)
    years = pd.DataFrame()
    if table is not None:
        frame, used = circulation_frame(table, area.code, output_names)
        years = frame.dropna(subset=["factor_inflow"])
        finding.method_notes += _gap_notes(table, frame, area, word, output_names)
    if years.empty:
        finding.absent |= {CIRCULATION, *(f"economy.{n}" for n in FIGURE_NAMES)}
        return

    sources = tuple(table.sources_of(used[used["period"].isin(years.index)]))
    _add_figures(finding, years, sources)
    finding.absent |= {f"economy.{n}" for n in FIGURE_NAMES if n not in finding.figures}
    finding.charts[CIRCULATION] = _inflow_chart(years, area, word, sources)
    finding.tables[CIRCULATION] = _circulation_table(years, area, word, sources)
    finding.method_notes += _method_notes(years, word)


def area_word(area: Area) -> str:
    """Return 市, 町 or 村 of the area's name, the word its accounts use (市内)."""
    return area.name[-1] if area.name[-1] in "市町村" else "市町村"


def _add_figures(finding: Finding, years: pd.DataFrame, sources) -> None:
    first, latest = years.index[0], years.index[-1]
    row = years.loc[latest]
    figures = finding.figures
    for name, period in (
        ("circulation_first_year", first),
        ("circulation_year", latest),
    ):
        figures[name] = KeyFigure(period, format_period(period), period, "", sources)

    def amount(value: float) -> KeyFigure:
        return KeyFigure(float(value), format_oku_yen(value), latest, "円", sources)

    def flow(value: float, positive: str, negative: str) -> KeyFigure:
        text = format_yen_flow(value, positive=positive, negative=negative)
        return KeyFigure(float(value), text, latest, "円", sources)

    figures["domestic_factor_income"] = amount(row["inside_factor"])
    figures["resident_income"] = amount(row["resident_income"])
    figures["factor_income_inflow"] = flow(row["factor_inflow"], "流入", "流出")
    figures["income_ratio"] = KeyFigure(
        float(row["income_ratio"]),
        format_quantity(row["income_ratio"], "%", 1),
        latest,
        "%",
        sources,
    )
    if pd.notna(row["employee_inflow"]):
        figures["employee_income_inflow"] = flow(row["employee_inflow"], "流入", "流出")
    if pd.notna(row["net_exports"]):
        figures["net_exports"] = flow(row["net_exports"], "移出超過", "移入超過")


def _gap_notes(
    table: Dataset,
    frame: pd.DataFrame,
    area: Area,
    word: str,
    output_names: tuple[str, ...],
) -> list[str]:
    """Explain why figures are missing although the table has some of the items.

    The note names the items of a table declared without `unit` first,
    because that setting fixes them, and otherwise the items of the inflow
    that the table lacks. Items in another unit (% of a growth rate) get no
    note.
    """
    own = table.frame[table.frame["area_code"] == area.code]
    names = [*output_names, *(n for group in ITEMS.values() for n in group)]
    unitless = item_rows(own[own["unit"] == ""], names)
    if not unitless.empty:
        labels = "、".join(dict.fromkeys(unitless["indicator"]))
        return [
            f"表の項目「{labels}」は単位が書かれていないため使っていません。"
            "表の設定に unit: 100万円 のように単位を書いてください。"
        ]
    present = [item for item in FACTOR_ITEMS if frame[item].notna().any()]
    if not present or len(present) == len(FACTOR_ITEMS):
        return []
    labels = {
        "inside_employee": f"雇用者報酬（{word}内活動）",
        "surplus": "営業余剰・混合所得",
        "resident_income": f"{word}民所得（要素費用表示）",
    }
    missing = "、".join(labels[item] for item in FACTOR_ITEMS if item not in present)
    return [
        f"表に{missing}がないため、{word}外からの要素所得（純）を計算していません。"
    ]


def _inflow_chart(years: pd.DataFrame, area: Area, word: str, sources) -> ChartSpec:
    series = (
        ("factor_inflow", f"{word}外からの要素所得（純）", "要素所得"),
        ("employee_inflow", f"{word}外からの雇用者報酬（純）", "雇用者報酬"),
    )
    rows = [
        chart_row(
            x=format_period_short(period),
            series=label,
            value=value / MILLION,
            indicator=key,
            indicator_name=label,
            area_code=area.code,
            area_name=area.name,
            period=period,
            unit="百万円",
            status="",
            source=credits(sources),
        )
        for key, label, _ in series
        for period, value in years[key].dropna().items()
    ]
    latest = years.iloc[-1]
    first, last = (
        format_period_short(years.index[0]),
        format_period_short(years.index[-1]),
    )
    latest_texts = "、".join(
        f"{short}が{format_yen_flow(latest[key], positive='流入', negative='流出')}"
        for key, _, short in series
        if pd.notna(latest[key])
    )
    drawn = "と".join(label for key, label, _ in series if years[key].notna().any())
    return ChartSpec(
        id=CIRCULATION,
        title=f"{area.name}の{word}外からの所得（純）の推移",
        kind="grouped_bar",
        data=pd.DataFrame(rows),
        x_title="年度",
        y_title="純流入額（百万円）",
        sources=sources,
        alt=(
            f"{area.name}の{drawn}を{first}から{last}まで示した棒グラフ。"
            f"上向きの棒は{word}外からの流入、下向きの棒は{word}外への流出。"
            f"{last}は{latest_texts}。"
        ),
        note=f"正は{word}外からの流入、負は{word}外への流出。",
    )


AMOUNTS = (
    "output",
    "inside_factor",
    "resident_income",
    "factor_inflow",
    "employee_inflow",
    "net_exports",
)
"""Columns of `circulation_frame` that the table prints in 百万円."""


def _circulation_table(years: pd.DataFrame, area: Area, word: str, sources) -> Table:
    frame = years.reset_index()
    frame["period_label"] = frame["period"].map(format_period_short)
    frame[list(AMOUNTS)] = frame[list(AMOUNTS)] / MILLION
    columns = [Column("period_label", "年度", kind="text")]
    if years["output"].notna().any():
        columns.append(Column("output", f"{word}内総生産（百万円）"))
    columns += [
        Column("inside_factor", f"{word}内要素所得（百万円）"),
        Column("resident_income", f"{word}民所得（百万円）"),
        Column("factor_inflow", f"{word}外からの要素所得（純）（百万円）"),
        Column(
            "income_ratio",
            f"{word}民所得÷{word}内要素所得（%）",
            kind="percent",
            digits=1,
        ),
    ]
    if years["employee_inflow"].notna().any():
        columns.append(
            Column("employee_inflow", f"{word}外からの雇用者報酬（純）（百万円）")
        )
    if years["net_exports"].notna().any():
        columns.append(Column("net_exports", "財貨・サービスの移出入（純）（百万円）"))
    return Table(
        id=CIRCULATION,
        title=f"{area.name}の生産・分配・支出と{word}外との流出入",
        frame=frame,
        columns=tuple(columns),
        sources=sources,
        note=(
            f"{word}内要素所得 = 雇用者報酬（{word}内活動）＋営業余剰・混合所得。"
            f"{word}外からの要素所得（純） = {word}民所得（要素費用表示）"
            f"−{word}内要素所得。△は負の値（流出、移入超過）。"
        ),
    )


def _method_notes(years: pd.DataFrame, word: str) -> list[str]:
    notes = [
        f"{word}外からの要素所得（純）は、{word}民所得（要素費用表示）から{word}内"
        f"要素所得（雇用者報酬（{word}内活動）と営業余剰・混合所得の合計）を引いた"
        f"値です。{word}内要素所得は{word}内の生産で生まれた所得で、働く人が"
        f"どこに住んでいるかを問いません。{word}民所得は{word}内に住む人や{word}内の"
        f"企業が受け取った所得で、{word}外で得た所得も含みます。このため、正の値は"
        f"{word}外からの所得の流入、負の値は{word}外への流出を表します。",
        f"{word}民所得÷{word}内要素所得は、{word}内の生産で生まれた所得に対する"
        f"{word}民の所得の割合です。100%を超えると、{word}外から所得が流入しています。",
    ]
    if years["employee_inflow"].notna().any():
        notes.append(
            f"{word}外からの雇用者報酬（純）は、{word}民雇用者報酬から雇用者報酬"
            f"（{word}内活動）を引いた値です。{word}外で働く{word}民が受け取る報酬と、"
            f"{word}内で働く{word}外の人が受け取る報酬の差で、{word}の境を越える通勤を"
            "映します。"
        )
    if years["net_exports"].notna().any():
        notes.append(
            f"財貨・サービスの移出入（純）は、{word}外への財貨・サービスの販売（移出）"
            f"から{word}外からの購入（移入）を引いた差額で、表の値をそのまま使って"
            "います。正の値は移出超過、負の値は移入超過です。"
        )
    notes.append(
        "金額は、本文では億円に四捨五入し、グラフと表では百万円で示します。"
        "表の各項目も四捨五入された値なので、合計は公表された合計と少し違うことが"
        "あります。"
    )
    return notes
