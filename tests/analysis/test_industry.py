"""Industry analysis on the real SSDSE-A files, against figures worked by hand.

真鶴町 is line 722 of data/raw/ssdse/SSDSE-A-<edition>.csv. 経済センサス 2016
is read from the 2023 edition and 2021 from the 2026 edition (the newest that
carries each year). Columns: AM C2108 事業所数（民営）, BF C2208 従業者数（民営）,
BH C220833 従業者数（民営）（漁業）. Kanagawa is the 33 lines whose code
starts R14, the nation all 1,741 lines.
"""

import pandas as pd
import pytest

from databook.analysis.common import Area
from databook.analysis.industry import (
    EMPLOYEES,
    analyse_industry,
    counts,
    industry_names,
    specialization,
    totals_by_area,
)
from databook.inputs import Inputs
from databook.sources.codes import load_master
from databook.sources.ssdse import load_ssdse
from tests.conftest import RAW

MANAZURU = Area("14383", "真鶴町", "神奈川県")


@pytest.fixture(scope="module")
def dataset():
    suffixes = ["", "32", "33", "35", "36", "37", "38", "39", "40", "41"]
    suffixes += ["44", "45", "46", "47", "48", "49", "50", "51", "52"]
    items = [f"C2108{s}" for s in suffixes] + [f"C2208{s}" for s in suffixes]
    # NOTE: load_ssdse fails on an edition that contains none of the items (the
    # 2018–2020 editions have no C2108 items), so A1101 is read as well.
    items.append("A1101")
    return load_ssdse(sorted((RAW / "ssdse").glob("*.csv")), items=items)


@pytest.fixture(scope="module")
def finding(dataset):
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    return analyse_industry(Inputs(master, {"ssdse-a": dataset}), MANAZURU)


def test_industry_names_use_newest_labels(dataset):
    names = industry_names(dataset)
    # SSDSE-A-2026 row 3, column BH: 従業者数（民営）（漁業）; the 2023 edition
    # writes 「，」 in 卸売業，小売業 and the 2026 edition 「、」.
    assert names["33"] == "漁業"
    assert names["41"] == "卸売業、小売業"
    assert len(names) == 18


def test_specialization_fishery_2021(dataset):
    employees = counts(dataset, EMPLOYEES, "2021")
    result = specialization(employees, "14383", "14").loc["33"]
    # SSDSE-A-2026: 真鶴町 BH 20, BF 1376 → 20 ÷ 1376 = 1.4535%.
    assert result["share"] == pytest.approx(1.4535, abs=0.0001)
    # Kanagawa sums: BH 294, BF 3,525,744 → (20 × 3525744) ÷ (1376 × 294)
    # = 70,514,880 ÷ 404,544 = 174.31.
    assert result["prefecture_coefficient"] == pytest.approx(174.31, abs=0.01)
    # Nation sums: BH 41,013, BF 57,937,290 → (20 × 57937290) ÷ (1376 × 41013)
    # = 1,158,745,800 ÷ 56,433,888 = 20.533.
    assert result["nation_coefficient"] == pytest.approx(20.533, abs=0.001)


def test_industry_totals_manazuru(finding):
    figures = finding.figures
    # SSDSE-A-2026 line 722: AM 293, BF 1376. SSDSE-A-2023: AM 310, BF 1533.
    assert figures["year"].text == "2021年（令和3年）"
    assert figures["establishments"].text == "293事業所"
    assert figures["employees"].text == "1,376人"
    assert figures["previous_establishments"].text == "310事業所"
    assert figures["previous_employees"].text == "1,533人"
    # 1376 − 1533 = −157; −157 ÷ 1533 = −10.24%.
    assert figures["employees_change"].text == "157人減"
    assert figures["employees_change_rate"].text == "10.2%減"
    # 1376 ÷ 293 = 4.696.
    assert figures["per_establishment"].text == "4.7人"


def test_industry_ranks_manazuru(finding):
    figures = finding.figures
    # Column BF of Kanagawa's 33 lines: only 清川村 (1,328) has fewer
    # employees than 真鶴町 (1,376); column AM: only 清川村 (126) has fewer
    # establishments than 真鶴町 (293).
    assert figures["employees_rank"].text == "33市町村中32位"
    assert figures["establishments_rank"].text == "33市町村中32位"
    # BF ÷ AM: 真鶴町 4.70 is the lowest; next are 二宮町 6.00 and 松田町 6.88.
    assert figures["per_establishment_rank"].text == "33市町村中33位"


def test_top_and_specialized_industry(finding):
    figures = finding.figures
    # SSDSE-A-2026 line 722, column BO C220841 卸売業、小売業 300 is the
    # largest industry; 300 ÷ 1376 = 21.80%.
    assert figures["top_industry"].text == "卸売業、小売業"
    assert figures["top_industry_share"].text == "21.8%"
    # Column BI C220835 鉱業、採石業、砂利採取業: 真鶴町 19 of 1376; nation
    # 19,697 of 57,937,290 → (19 × 57937290) ÷ (1376 × 19697) = 40.62.
    assert figures["specialized_industry"].text == "鉱業、採石業、砂利採取業"
    assert figures["specialized_coefficient"].text == "40.62"


def test_industry_table_rows(finding):
    table = finding.tables["industry_structure"].frame.set_index("name")
    assert len(table) == 18
    # SSDSE-A-2023 line 722, BH 19 (2016); SSDSE-A-2026 BH 20 (2021).
    assert table.loc["漁業", "previous_employees"] == 19
    assert table.loc["漁業", "employees"] == 20
    ranking = finding.tables["industry_ranking"].frame
    assert len(ranking) == 33
    assert ranking.iloc[0]["area_name"] == "横浜市"


def test_industry_area_without_data(dataset):
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    inputs = Inputs(master, {"ssdse-a": dataset})
    finding = analyse_industry(inputs, Area("99999", "架空村", "神奈川県"))
    assert finding.figures == {}
    assert "データにない" in finding.method_notes[0]


def test_coefficients_chart_manazuru(finding):
    spec = finding.charts["industry_coefficients"]
    assert spec.kind == "ratio_bar"
    assert spec.digits == 2
    values = spec.data.set_index(["series", "x"])["value"]
    # SSDSE-A-2026, Kanagawa sums (33 lines R14…) and nation sums (1,741
    # lines) of BF C2208 3,525,744 and 57,937,290.
    # BS C220847 宿泊業、飲食サービス業: 真鶴町 294 of 1376 (line 722),
    # Kanagawa 311,021, nation 4,676,445.
    # 対県: (294 × 3525744) ÷ (1376 × 311021) = 1,036,568,736 ÷ 427,964,896
    # = 2.4221; 対全国: (294 × 57937290) ÷ (1376 × 4676445)
    # = 17,033,563,260 ÷ 6,434,788,320 = 2.6471.
    lodging = "宿泊業、飲食サービス業"
    assert values["対神奈川県", lodging] == pytest.approx(2.4221, abs=0.0001)
    assert values["対全国", lodging] == pytest.approx(2.6471, abs=0.0001)
    # BJ C220836 建設業: 真鶴町 162, Kanagawa 208,570, nation 3,737,396.
    # 対県: (162 × 3525744) ÷ (1376 × 208570) = 571,170,528 ÷ 286,992,320
    # = 1.9902; 対全国: (162 × 57937290) ÷ (1376 × 3737396)
    # = 9,385,840,980 ÷ 5,142,656,896 = 1.8251.
    assert values["対神奈川県", "建設業"] == pytest.approx(1.9902, abs=0.0001)
    assert values["対全国", "建設業"] == pytest.approx(1.8251, abs=0.0001)
    # BH C220833 漁業 as in test_specialization_fishery_2021.
    assert values["対神奈川県", "漁業"] == pytest.approx(174.31, abs=0.01)
    # BG C220832 農業、林業: 真鶴町 0 employees, so a coefficient of 0.
    assert values["対全国", "農業、林業"] == 0


def test_coefficients_chart_order_and_notes(finding):
    spec = finding.charts["industry_coefficients"]
    nation = spec.data[spec.data["series"] == "対全国"]
    assert len(nation) == 18
    # Largest against the nation first: 鉱業、採石業、砂利採取業 40.62 (see
    # test_top_and_specialized_industry), then 漁業 20.53.
    assert list(nation["x"][:2]) == ["鉱業、採石業、砂利採取業", "漁業"]
    assert list(nation["value"]) == sorted(nation["value"], reverse=True)
    assert "1.0" in spec.alt
    assert "同じ" in spec.alt
    assert "縦線の1.0" in spec.note
    assert "40.62" in spec.alt


# SSDSE-A-2023 line 405, R07546 双葉町 (福島県): AM C2108 0 and BF C2208 0 in
# the 2016 survey; SSDSE-A-2026 line 405: AM 4, BF 19 in 2021.
FUTABA = Area("07546", "双葉町", "福島県")


def test_change_from_zero_has_no_rate(dataset):
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    finding = analyse_industry(Inputs(master, {"ssdse-a": dataset}), FUTABA)
    figures = finding.figures
    assert figures["previous_establishments"].text == "0事業所"
    assert figures["establishments_change"].text == "4事業所増"
    # 4 − 0 over 0 establishments, 19 − 0 over 0 employees: no rate.
    assert figures["establishments_change_rate"].value is None
    assert figures["establishments_change_rate"].text == "（データなし）"
    assert figures["employees_change_rate"].text == "（データなし）"
    # 19 ÷ 4 = 4.75.
    assert figures["per_establishment"].text == "4.8人"


def test_per_establishment_without_establishments(dataset):
    # 2016: 双葉町 has 0 establishments (SSDSE-A-2023 line 405, AM), so no
    # employees per establishment, and the other 58 of 福島県 are ranked.
    totals = totals_by_area(dataset, "2016", "07")
    assert len(totals) == 59
    assert pd.isna(totals.loc["07546", "per_establishment"])
    assert totals["per_establishment"].notna().sum() == 58
