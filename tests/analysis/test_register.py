"""Tests of the 住基 analysis on the real 住基 and SSDSE files for 真鶴町."""

from __future__ import annotations

import pytest

from databook.analysis.common import Area
from databook.analysis.register import analyse_juki
from databook.errors import ConfigError
from databook.inputs import Inputs
from databook.sources.codes import load_master
from databook.sources.juki import load_juki
from databook.sources.record_labels import OTHER
from databook.sources.records import load_register_records
from databook.sources.ssdse import load_ssdse
from tests.conftest import RAW
from tests.sources.test_records import NAME, write_rows

AREA = Area("14383", "真鶴町", "神奈川県")


@pytest.fixture(scope="module")
def inputs():
    ssdse = load_ssdse(sorted((RAW / "ssdse").glob("*.csv")))
    juki, _ = load_juki(sorted((RAW / "juki").glob("*.csv")))
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    return Inputs(master, {"ssdse-a": ssdse, "juki": juki})


@pytest.fixture(scope="module")
def finding(inputs):
    return analyse_juki(inputs, AREA)


def test_latest_year_figures(finding):
    # juki_soumu_muni_20210101.csv, row 143839 (2020 dynamics): 出生 17,
    # 死亡 111, 転入（計） 218, 転出（計） 215, その他 記載 6 and 消除 4.
    figures = finding.figures
    assert figures["year"].text == "2020年（令和2年）"
    assert figures["births"].text == "17人"
    assert figures["deaths"].text == "111人"
    assert figures["natural"].text == "94人減"  # 17 − 111
    assert figures["others"].text == "2人増"  # 6 − 4
    assert figures["social"].text == "5人増"  # 218 + 6 − 215 − 4


def test_social_total_over_years(finding):
    # 社会増減数 of row 143839, files 2016–2021: −79, −48, −22, −33, −15, 5.
    assert finding.figures["social_total"].value == -79 - 48 - 22 - 33 - 15 + 5
    assert finding.figures["first_year"].text == "2015年（平成27年）"


def test_population_on_latest_date(finding):
    # juki_soumu_muni_20220101_pop_only.csv, row 143839: 6984.
    assert finding.figures["population_date"].text == "2022年1月1日"
    assert finding.figures["population"].text == "6,984人"


def test_social_chart_compares_definitions(finding):
    chart = finding.charts["juki_social"]
    data = chart.data
    juki = data[data["series"] == "住基の社会増減"].set_index("period")["value"]
    ssdse = data[data["series"] == "移動報告の社会増減"].set_index("period")["value"]
    assert juki["2020"] == 5
    # SSDSE-A-2022.csv, R14383: A5101 転入 2020 197, A5102 転出 206: 197 − 206.
    assert ssdse["2020"] == 197 - 206
    # SSDSE-A-2018.csv, R14383: A5101 2016 170, A5102 224: 170 − 224.
    assert ssdse["2016"] == 170 - 224
    assert "2015" not in ssdse.index
    assert "国外" in chart.note
    assert "日本人の国内移動" in chart.note


def test_chart_sources_cite_each_survey(finding):
    chart = finding.charts["juki_social"]
    credits = {source.credit() for source in chart.sources}
    assert any("住民基本台帳に基づく人口" in credit for credit in credits)
    assert any("住民基本台帳人口移動報告" in credit for credit in credits)
    assert not any("人口動態統計" in credit for credit in credits)


def test_change_table_rows(finding):
    table = finding.tables["juki_change"]
    assert list(table.frame["period"]) == [
        "2015",
        "2016",
        "2017",
        "2018",
        "2019",
        "2020",
    ]
    row = table.frame.set_index("period").loc["2018"]
    # juki_soumu_muni_20190101.csv, row 143839: 出生 30, 死亡 120, 転入 228,
    # その他 3, 転出 260, その他 4: 社会増減 228 + 3 − 260 − 4 = −33.
    assert row["natural"] == 30 - 120
    assert row["social"] == 228 + 3 - 260 - 4
    # SSDSE-A-2020.csv, R14383: A5101 2018 204, A5102 237.
    assert row["ssdse_social"] == 204 - 237


def test_population_chart_dates(finding):
    # The axis shows years; the title and the alt text name the day.
    chart = finding.charts["juki_population"]
    assert list(chart.data["x"])[:2] == ["2016年", "2017年"]
    assert list(chart.data["period"])[:2] == ["2016-01-01", "2017-01-01"]
    assert chart.data["value"].iloc[0] == 7708
    assert "各年1月1日現在" in chart.title
    assert "2016年1月1日は7,708人" in chart.alt


def test_without_juki_dataset(inputs):
    bare = Inputs(inputs.master, {"ssdse-a": inputs.datasets["ssdse-a"]})
    with pytest.raises(ConfigError, match="kind: juki"):
        analyse_juki(bare, AREA)


def test_without_town_data_no_register_charts(finding):
    assert "register_monthly" not in finding.charts
    assert "register_year" not in finding.tables


def test_missing_count_prints_no_data(inputs, tmp_path):
    # juki_soumu_muni_20210101.csv line 900 is 143839 真鶴町; column P, its
    # 転出者数（計） 215 for 2020, becomes 「-」, the mark for no value.
    for path in sorted((RAW / "juki").glob("*.csv")):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    path = tmp_path / "juki_soumu_muni_20210101.csv"
    lines = path.read_bytes().decode("cp932").split("\n")
    cells = lines[899].split(",")
    assert cells[0] == "143839"
    assert cells[15] == "215 "
    cells[15] = "-"
    lines[899] = ",".join(cells)
    path.write_bytes("\n".join(lines).encode("cp932"))
    juki, _ = load_juki(sorted(tmp_path.glob("*.csv")))
    edited = Inputs(inputs.master, {**inputs.datasets, "juki": juki})

    figures = analyse_juki(edited, AREA).figures

    assert figures["moves_out"].text == "（データなし）"
    assert figures["social"].text == "（データなし）"
    # Without 2020's count the total over 2015–2020 is unknown, not smaller.
    assert figures["social_total"].text == "（データなし）"
    assert figures["births"].text == "17人"
    assert not [key for key, figure in figures.items() if "nan" in figure.text]


# --- The town's record-level register data ------------------------------------------


def town_records(tmp_path, rows):
    path = write_rows(
        tmp_path / "idou.csv", ["異動日", "異動事由", "転入元・転出先"], rows
    )
    dataset, _ = load_register_records(
        path,
        display_path=path.name,
        area_code=AREA.code,
        area_name=AREA.name,
        master=load_master(RAW / "codes" / "localgovjp-utf8.csv"),
    )
    return dataset


def test_moves_table_labels_from_master(inputs, tmp_path):
    # 転入: 小田原市 3 (one an address), 東京都新宿区 4 (two written 東京都新宿区…,
    # two 新宿区), and 3 that resolve to no municipality (a fake name, 府中市
    # of two prefectures, a birth date); 転出: 湯河原町 3.
    rows = (
        [["2023/1/5", "転入", "小田原市"]] * 2
        + [["2023/1/5", "転入", "小田原市架空町14丁目14番14号テスト荘14号室"]]
        + [["2023/2/1", "転入", "東京都新宿区架空1-2-3"]] * 2
        + [["2023/2/1", "転入", "新宿区"]] * 2
        + [["2023/3/1", "転入", NAME], ["2023/3/1", "転入", "府中市"]]
        + [["2023/3/1", "転入", "1950/2/3"]]
        + [["2023/4/1", "転出", "湯河原町"]] * 3
    )
    town = town_records(tmp_path, rows)
    finding = analyse_juki(
        Inputs(inputs.master, {**inputs.datasets, "register-records": town}), AREA
    )
    table = finding.tables["register_moves"].frame
    assert list(table["category"]) == ["東京都新宿区", "小田原市", "湯河原町", OTHER]
    by_town = table.set_index("category")
    assert by_town.loc["東京都新宿区", "moves_in"] == 4
    assert by_town.loc["小田原市", "moves_in"] == 3
    assert by_town.loc["湯河原町", "moves_out"] == 3
    assert by_town.loc[OTHER, "moves_in"] == 3
    assert any("団体コード一覧の市区町村" in note for note in finding.method_notes)
    text = table.to_csv()
    for planted in (NAME, "架空", "1950", "府中市"):
        assert planted not in text
