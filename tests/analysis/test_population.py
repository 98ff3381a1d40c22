"""Population analyses on the real SSDSE-A files, against figures worked by hand.

Inputs are the lines of 真鶴町 (R14383, line 722) and 湯河原町 (R14384, line 723)
in data/raw/ssdse/SSDSE-A-<edition>.csv. Columns: D A1101 総人口, N A1301 15歳未満,
O A1302 15～64歳, P A1303 65歳以上, W A4101 出生数, X A4200 死亡数,
Y A5101 転入者数, Z A5102 転出者数.
"""

import pandas as pd
import pytest

from databook.analysis.common import Area
from databook.analysis.population import (
    age_structure,
    analyse_population,
    analyse_population_change,
)
from databook.analysis.ranking import rank_of
from databook.inputs import Inputs
from databook.sources.codes import load_master
from databook.sources.ssdse import load_ssdse
from tests.conftest import RAW

MANAZURU = Area("14383", "真鶴町", "神奈川県")
YUGAWARA = Area("14384", "湯河原町", "神奈川県")


@pytest.fixture(scope="module")
def dataset():
    items = ["A1101", "A1301", "A1302", "A1303", "A4101", "A4200", "A5101", "A5102"]
    return load_ssdse(sorted((RAW / "ssdse").glob("*.csv")), items=items)


@pytest.fixture(scope="module")
def inputs(dataset):
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    return Inputs(master, {"ssdse-a": dataset})


def test_ageing_rate_excludes_age_unknown(dataset):
    structure = age_structure(dataset).set_index(["area_code", "period"])
    row = structure.loc[("14383", "2020")]
    # SSDSE-A-2026 line 722: D 6722, N 446, O 3344, P 2923.
    # 年齢不詳 = 6722 − 446 − 3344 − 2923 = 9;
    # 2923 ÷ (6722 − 9) = 2923 ÷ 6713 = 43.542%.
    assert row["unknown"] == 9
    assert row["ageing_rate"] == pytest.approx(43.542, abs=0.001)
    # SSDSE-A-2021 line 722: D 7333, N 573, O 3919, P 2840.
    # 年齢不詳 = 1; 2840 ÷ 7332 = 38.734%.
    row = structure.loc[("14383", "2015")]
    assert row["unknown"] == 1
    assert row["ageing_rate"] == pytest.approx(38.734, abs=0.001)


def test_population_figures_manazuru(inputs):
    figures = analyse_population(inputs, MANAZURU).figures
    assert figures["total"].text == "6,722人"
    assert figures["previous_total"].text == "7,333人"
    # 6722 − 7333 = −611; −611 ÷ 7333 = −8.33%.
    assert figures["change"].text == "611人減"
    assert figures["change_rate"].text == "8.3%減"
    assert figures["ageing_rate"].text == "43.5%"
    assert figures["year"].text == "2020年（令和2年）"


def test_population_ranks_manazuru(inputs):
    figures = analyse_population(inputs, MANAZURU).figures
    # Kanagawa's 33 rows of SSDSE-A-2026, column D: only 清川村 (3,038) is
    # smaller than 真鶴町 (6,722), so 真鶴町 is 32nd of 33 by population.
    assert figures["rank"].text == "33市町村中32位"
    # Column P ÷ (D − 年齢不詳): 真鶴町 43.54% is the highest; the next is
    # 湯河原町 9961 ÷ (23426 − 239) = 42.96%.
    assert figures["ageing_rank"].text == "33市町村中1位"


def test_population_figures_yugawara(inputs):
    figures = analyse_population(inputs, YUGAWARA).figures
    # SSDSE-A-2026 line 723: D 23426, N 1749, O 11477, P 9961; 年齢不詳 = 239.
    assert figures["total"].text == "23,426人"
    assert figures["ageing_rate"].text == "43.0%"
    assert figures["ageing_rank"].text == "33市町村中2位"


def test_population_change_manazuru(inputs):
    finding = analyse_population_change(inputs, MANAZURU)
    figures = finding.figures
    # SSDSE-A-2026 line 722: W 13 and X 140 (2023) → 13 − 140 = −127.
    assert figures["vital_year"].value == "2023"
    assert figures["births"].text == "13人"
    assert figures["deaths"].text == "140人"
    assert figures["natural"].text == "127人減"
    # Births − deaths 2016–2023 from the editions 2018–2026, column W − X:
    # (27−141)+(24−94)+(30−121)+(16−128)+(18−111)+(17−138)+(15−125)+(13−140) = −838.
    assert figures["natural_total"].text == "838人減"
    # Y 156 and Z 197 (2024) → −41.
    assert figures["migration_year"].value == "2024"
    assert figures["social"].text == "41人減"


def test_change_rates_and_ranks(inputs):
    manazuru = analyse_population_change(inputs, MANAZURU).figures
    # −127 ÷ 6722 × 1000 = −18.89 per 1,000. Ranking Kanagawa's 33 values of
    # (W − X) ÷ D × 1000 in SSDSE-A-2026 from the largest: 湯河原町 −20.02 is
    # last and 真鶴町 next to last.
    assert manazuru["natural_rate"].text == "18.9人減"
    assert manazuru["natural_rank"].text == "33市町村中32位"
    # (Y − Z) ÷ D × 1000 = −41 ÷ 6722 × 1000 = −6.10; only two are lower.
    assert manazuru["social_rank"].text == "33市町村中31位"

    yugawara = analyse_population_change(inputs, YUGAWARA).figures
    # 湯河原町: (60 − 529) ÷ 23426 × 1000 = −20.02, the lowest of 33.
    assert yugawara["natural_rank"].text == "33市町村中33位"
    # (863 − 809) ÷ 23426 × 1000 = +2.31, tenth from the top.
    assert yugawara["social"].text == "54人増"
    assert yugawara["social_rank"].text == "33市町村中10位"


def test_year_without_births_not_filled(inputs):
    table = analyse_population_change(inputs, MANAZURU).tables["population_change"]
    row = table.frame.set_index("period").loc["2024"]
    # 2024 has moves (2026 edition) but no births or deaths in any edition.
    assert pd.isna(row["births"])
    assert pd.isna(row["natural"])
    assert row["natural_status"] == "not_surveyed"
    assert row["social"] == -41


def test_rank_ties_and_missing():
    values = pd.Series({"a": 10.0, "b": 20.0, "c": 20.0, "d": None, "e": 5.0})
    assert rank_of(values, "b").position == 1
    assert rank_of(values, "c").position == 1
    assert rank_of(values, "a").position == 3
    assert rank_of(values, "e").count == 4
    assert rank_of(values, "d") is None
    assert rank_of(values, "e", descending=False).position == 1


def test_area_missing_from_data(inputs):
    finding = analyse_population(inputs, Area("99999", "架空村", "神奈川県"))
    assert finding.figures == {}
    assert "データにない" in finding.method_notes[0]


def test_change_follows_code_change(inputs):
    nakagawa = Area("40231", "那珂川市", "福岡県")
    table = analyse_population_change(inputs, nakagawa).tables["population_change"]
    periods = list(table.frame["period"])
    # Births of 2016 and 2017 are in SSDSE-A-2018 and 2019, line 1499, under
    # R40305 那珂川町; from the 2020 edition the line is R40231 那珂川市.
    assert periods[:2] == ["2016", "2017"]
    assert not table.frame["births"].iloc[:2].isna().any()


def test_change_per_1000_uses_latest_census(inputs):
    table = analyse_population_change(inputs, MANAZURU).tables["population_change"]
    rows = table.frame.set_index("period")
    # 2019: births 16 − deaths 128 = −112 (SSDSE-A-2021 line 722, W and X),
    # on the 2015 census 7,333 → −112 ÷ 7333 × 1000 = −15.27.
    assert rows.loc["2019", "natural_per_1000"] == pytest.approx(-15.273, abs=0.001)
    # 2023: 13 − 140 = −127 on the 2020 census 6,722 → −18.89.
    assert rows.loc["2023", "natural_per_1000"] == pytest.approx(-18.893, abs=0.001)
    # 2024: moves 156 − 197 = −41 on 6,722 → −6.10; no births, so no rate.
    assert rows.loc["2024", "social_per_1000"] == pytest.approx(-6.099, abs=0.001)
    assert pd.isna(rows.loc["2024", "natural_per_1000"])
