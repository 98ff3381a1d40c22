"""Tourism analysis on 北海道観光入込客数調査 and on small yearly tables.

Real files: tests/data/tables/hokkaido/tourism_stat_report_<FY>_monthly.csv
(FY2006, FY2009, FY2010, FY2019; 千人, read as 人 by the table loader). 札幌市
is line 114 (FY2009) and 150 (FY2010, FY2019) for 内宿泊客, 110 and 146 for
入込総数; FY2006 lists 札幌市（定山渓を除く。） (lines 110–115) and 定山渓
(lines 116–121) apart. Columns E–P are april … march, column Q `sum` is the
fiscal-year total.
"""

import openpyxl
import pandas as pd
import pytest

from databook.analysis.common import Area
from databook.analysis.tourism import (
    MONTHS,
    analyse_tourism,
    monthly_series,
    months_by_year,
    seasonality,
    year_summary,
)
from databook.config import TableDataset
from databook.inputs import Inputs
from databook.model import concat
from databook.sources.codes import load_master
from databook.sources.tables import load_table
from tests.conftest import RAW, TEST_DATA

HOKKAIDO = sorted((TEST_DATA / "tables" / "hokkaido").glob("*.csv"))
FY2006, FY2009, FY2010, FY2019 = HOKKAIDO
SAPPORO = Area("01100", "札幌市", "北海道")


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


def hokkaido(**extra) -> TableDataset:
    settings = dict(
        kind="table",
        files=["tables/hokkaido/*.csv"],
        source="北海道経済部観光局「北海道観光入込客数調査」",
        period_from_file=r"_(\d{4})_",
        period_kind="fiscal_year",
        area_column="commune",
        prefecture="北海道",
        indicator_columns=["type"],
        columns={"sum": ""},
        unit="千人",
        months_in_columns=True,
        # 上湧別町 merged into 湧別町 on 2009-10-05; FY2006 counts 定山渓 apart
        # from 札幌市 and misprints 中札内村 as 中札内町 (line 1020).
        area_aliases={"上湧別町": "湧別町", "定山渓": "札幌市", "中札内町": "中札内村"},
    )
    return TableDataset(**{**settings, **extra})


@pytest.fixture(scope="module")
def inputs(master):
    table = load_table(hokkaido(), HOKKAIDO, TEST_DATA, master)
    return Inputs(master, {"table": table})


def test_lodging_sapporo_fy2019(inputs):
    figures = analyse_tourism(inputs, SAPPORO).figures
    # FY2019 line 150, sum 8640 千人.
    assert figures["lodging"].text == "8,640,000人"
    assert figures["lodging_year"].text == "2019年度（令和元年度）"
    # FY2018 is not among the files, so there is no change on the year before.
    assert "lodging_change_rate" not in figures
    # The latest year is FY2019 itself, so no comparison against it.
    assert "lodging_versus_2019" not in figures


def test_recent_max_window(inputs):
    figures = analyse_tourism(inputs, SAPPORO).figures
    # Window FY2010–FY2019: 6,172,900 (FY2010) and 8,640,000 (FY2019);
    # FY2009 (6,383,500) falls outside the ten years.
    assert figures["lodging_recent_max_year"].value == "FY2019"
    # 入込総数: FY2019 line 146 sum 15264 against FY2010 line 146 12605.5.
    assert figures["visitors"].text == "15,264,000人"
    assert figures["visitors_recent_max_year"].value == "FY2019"


def test_tourism_chart_series(inputs):
    chart = analyse_tourism(inputs, SAPPORO).charts["tourism_lodging"]
    assert list(chart.data["period"]) == ["FY2006", "FY2009", "FY2010", "FY2019"]
    # FY2006: 札幌市（定山渓を除く。） 5343.7 (line 114) + 定山渓 1774.0
    # (line 120) = 7117.7 千人.
    assert list(chart.data["value"]) == [7_117_700, 6_383_500, 6_172_900, 8_640_000]


def test_year_summary_against_2019():
    # Calendar years, 人: 2018 50,000; 2019 52,000; 2020 20,000; 2021 25,000;
    # 2022 39,820.
    series = pd.Series(
        {"2018": 50000, "2019": 52000, "2020": 20000, "2021": 25000, "2022": 39820}
    )
    summary = year_summary(series)
    assert summary.latest == "2022"
    # (39820 − 25000) ÷ 25000 = +59.28%.
    assert summary.change_rate == pytest.approx(59.28)
    # (39820 − 52000) ÷ 52000 = −23.42%.
    assert summary.versus_pre_covid == pytest.approx(-23.423, abs=0.001)
    assert summary.recent_max == "2019"
    assert not summary.is_recent_max


def test_year_summary_skips_missing_year():
    series = pd.Series({"2020": 100.0, "2021": float("nan"), "2022": 150.0})
    summary = year_summary(series)
    assert summary.latest == "2022"
    assert summary.previous is None
    assert summary.change_rate is None
    assert summary.is_recent_max


def test_seasonality_sapporo_fy2009():
    # FY2009 line 114, 内宿泊客 April–March (千人); the total is 6383.5.
    months = [f"2009-{m:02d}" for m in range(4, 13)]
    months += [f"2010-{m:02d}" for m in range(1, 4)]
    values = [337.6, 499.1, 589.5, 694.9, 760.0, 705.1]
    values += [554.9, 444.5, 419.2, 415.0, 521.9, 441.8]
    frame = seasonality(pd.Series(values, index=months))
    assert frame["value"].sum() == pytest.approx(6383.5)
    # April 337.6 ÷ 6383.5 = 5.289%; August 760.0 ÷ 6383.5 = 11.906%.
    assert frame.loc["2009-04", "share"] == pytest.approx(5.289, abs=0.001)
    assert frame["share"].idxmax() == "2009-08"
    assert frame.loc["2009-08", "share"] == pytest.approx(11.906, abs=0.001)


def test_tourism_without_data(master):
    finding = analyse_tourism(Inputs(master, {}), SAPPORO)
    assert finding.figures == {}
    assert "データにない" in finding.method_notes[0]
    assert "tourism_seasonality" in finding.absent
    assert "tourism.peak_month" in finding.absent


# --- seasonality from the monthly columns ---

# FY2019 line 150, 札幌市 内宿泊客 april … march (千人): 705.2, 862.5, 876.9,
# 992.9, 894.8, 764.8, 678.1, 610.3, 731.1, 776.9, 572, 174.5; the twelve
# add up to 8640.0, the file's sum.


def test_seasonality_sapporo_latest(inputs):
    finding = analyse_tourism(inputs, SAPPORO)
    figures = finding.figures
    # FY2019 is the latest complete fiscal year and FY2019 itself.
    assert figures["seasonality_year"].text == "2019年度（令和元年度）"
    assert figures["seasonality_item"].text == "宿泊客数"
    # July 992.9 ÷ 8640.0 = 11.492%; March 174.5 ÷ 8640.0 = 2.020%.
    assert figures["peak_month"].text == "7月"
    assert figures["peak_month"].value == "2019-07"
    assert figures["peak_month_share"].value == pytest.approx(11.492, abs=0.001)
    assert figures["peak_month_with_share"].text == "7月（11.5%）"
    assert figures["low_month_with_share"].text == "3月（2.0%）"
    assert figures["peak_month_with_share_2019"].text == "7月（11.5%）"
    assert not {"tourism.peak_month", "tourism_seasonality"} & finding.absent


def test_seasonality_chart_months(inputs):
    chart = analyse_tourism(inputs, SAPPORO).charts["tourism_seasonality"]
    assert chart.kind == "line"
    assert list(chart.data["series"].unique()) == ["2019年度"]
    months = ["4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"]
    assert list(chart.data["x"]) == [*months, "1月", "2月", "3月"]
    assert chart.data["period"].iloc[-1] == "2020-03"
    # 705.2 and 174.5 千人 in 人.
    assert chart.data["value"].iloc[0] == 705_200
    assert chart.data["value"].iloc[-1] == 174_500
    assert chart.y_title == "宿泊客数（人）"


def test_seasonality_table_total(inputs):
    table = analyse_tourism(inputs, SAPPORO).tables["tourism_seasonality"]
    frame = table.frame
    assert frame["month"].iloc[-1] == "計"
    assert frame["value_FY2019"].iloc[-1] == pytest.approx(8_640_000)
    assert frame["share_FY2019"].iloc[:-1].sum() == pytest.approx(100)
    # August 894.8 ÷ 8640.0 = 10.356%.
    assert frame.loc[frame["month"] == "8月", "share_FY2019"].iloc[0] == (
        pytest.approx(10.356, abs=0.001)
    )


def test_seasonality_year_missing_month(master):
    # FY2010 read whole; FY2019 read from april to february only (E:O), as
    # a table published before March is counted.
    full = load_table(hokkaido(), [FY2010], TEST_DATA, master)
    short = load_table(hokkaido(month_columns="E:O"), [FY2019], TEST_DATA, master)
    inputs = Inputs(master, {"table": concat([full, short])})
    finding = analyse_tourism(inputs, SAPPORO)
    figures = finding.figures

    # FY2010 line 150: august 765.3 of 6172.9 (the twelve months added up)
    # = 12.398%; april 344.5 ÷ 6172.9 = 5.581%, below march's 350.0.
    assert figures["seasonality_year"].value == "FY2010"
    assert figures["peak_month_with_share"].text == "8月（12.4%）"
    assert figures["low_month_with_share"].text == "4月（5.6%）"
    assert "peak_month_2019" not in figures
    assert "tourism.peak_month_2019" in finding.absent
    notes = " ".join(finding.method_notes)
    assert "2019年度（令和元年度）は3月の宿泊客数の値がないため" in notes
    chart = finding.charts["tourism_seasonality"]
    assert list(chart.data["series"].unique()) == ["2010年度"]


def test_seasonality_no_complete_year(master):
    short = load_table(hokkaido(month_columns="E:O"), [FY2019], TEST_DATA, master)
    finding = analyse_tourism(Inputs(master, {"table": short}), SAPPORO)
    assert "tourism_seasonality" not in finding.charts
    assert "tourism_seasonality" in finding.absent
    assert "peak_month" not in finding.figures
    assert any("3月の宿泊客数の値がない" in note for note in finding.method_notes)
    # The yearly total still comes from column Q: 8640 千人.
    assert finding.figures["lodging"].text == "8,640,000人"


def test_months_by_year_blank_month(inputs):
    # FY2006 line 557: 平取町 内日帰客 has an empty april cell (E557).
    _, monthly = monthly_series(inputs.get("table"), ("内日帰客",), "01602")
    years = months_by_year(monthly, fiscal=True)
    assert list(years) == ["FY2006", "FY2009", "FY2010", "FY2019"]
    fy2006 = years["FY2006"]
    assert fy2006.index[0] == "2006-04"
    assert fy2006.index[-1] == "2007-03"
    assert fy2006.isna().sum() == 1
    assert pd.isna(fy2006["2006-04"])
    # May, column F: 16.9 千人.
    assert fy2006["2006-05"] == 16_900


def write_lodging_year(path, counts):
    """Write a town's sheet of one fiscal year, a month per row (test input)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["月", "宿泊者数"])
    for month, count in zip(MONTHS, counts, strict=True):
        sheet.append([f"{month}月", count])
    book.save(path)


def test_seasonality_latest_and_2019(tmp_path, master):
    # The counts are test input, not data: the real files end in FY2019, so
    # no real table has a complete year after it.
    write_lodging_year(
        tmp_path / "lodging_2019.xlsx", [100] * 4 + [300] + [100] * 6 + [50]
    )
    write_lodging_year(tmp_path / "lodging_2023.xlsx", [*range(90, 200, 10), 70])
    settings = TableDataset(
        kind="table",
        files=["*.xlsx"],
        source="真鶴町 産業観光課",
        area="14383",
        month_column="A",
        period_from_file=r"_(\d{4})\.",
        period_kind="fiscal_year",
        columns={"B": "宿泊者数"},
        unit="人",
    )
    paths = sorted(tmp_path.glob("*.xlsx"))
    table = load_table(settings, paths, tmp_path, master)
    manazuru = Area("14383", "真鶴町", "神奈川県")
    finding = analyse_tourism(Inputs(master, {"table": table}), manazuru)
    figures = finding.figures

    # FY2023: 90, 100, …, 190 and 70 add up to 1,610; February 190 ÷ 1,610 =
    # 11.801%, March 70 ÷ 1,610 = 4.348%.
    assert figures["seasonality_year"].value == "FY2023"
    assert figures["peak_month_with_share"].text == "2月（11.8%）"
    assert figures["low_month_with_share"].text == "3月（4.3%）"
    # FY2019: ten months of 100, August 300 and March 50 add up to 1,350;
    # 300 ÷ 1,350 = 22.222%, 50 ÷ 1,350 = 3.704%.
    assert figures["seasonality_year_2019"].value == "FY2019"
    assert figures["peak_month_with_share_2019"].text == "8月（22.2%）"
    assert figures["low_month_share_2019"].text == "3.7%"

    chart = finding.charts["tourism_seasonality"]
    assert list(chart.data["series"].unique()) == ["2019年度", "2023年度"]
    assert len(chart.data) == 24
    assert chart.title == "真鶴町の月別の宿泊客数（2019年度と2023年度）"
    table = finding.tables["tourism_seasonality"]
    assert [c.key for c in table.columns] == [
        "month",
        "value_FY2019",
        "share_FY2019",
        "value_FY2023",
        "share_FY2023",
    ]
    assert table.frame["value_FY2023"].iloc[-1] == 1610
    # Months without yearly rows: no yearly figures, but no "no data" note.
    assert "lodging" not in figures
    assert not any("データにない" in note for note in finding.method_notes)
