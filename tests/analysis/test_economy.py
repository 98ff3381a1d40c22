"""Economy analysis: output, its rank, and income from outside the area."""

import pandas as pd
import pytest
import yaml

from databook.analysis.circulation import MILLION, circulation_frame
from databook.analysis.common import Area, item_key
from databook.analysis.economy import OUTPUT_NAMES, analyse_economy, output_rank
from databook.config import TableDataset
from databook.inputs import Inputs
from databook.model import TIDY_COLUMNS, Dataset, Provenance, concat
from databook.sources.codes import load_master
from databook.sources.findings import load_findings
from databook.sources.tables import load_table
from tests.conftest import RAW, TEST_DATA

MANAZURU = Area("14383", "真鶴町", "神奈川県")


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


def output_table(values: dict[str, float | None]) -> Dataset:
    """Build a tidy 市町村内総生産 table (円, FY2018) of the given areas."""
    records = [
        {
            "indicator": "市町村内総生産",
            "area_code": code,
            "area_name": code,
            "period": "FY2018",
            "period_kind": "fiscal_year",
            "value": float("nan") if value is None else float(value),
            "unit": "円",
            "status": "not_surveyed" if value is None else "",
            "source_id": "test",
        }
        for code, value in values.items()
    ]
    provenance = Provenance("test", "テスト", None, "テスト", "x", "", "")
    return Dataset(pd.DataFrame(records, columns=TIDY_COLUMNS), {"test": provenance})


def test_output_rank_leaves_out_missing_and_prefecture():
    # Four municipalities with output, one without, and the prefecture row:
    # 14100 9e12, 14130 6e12, 14384 1e11, 14383 3e10, 14402 missing, 14000.
    table = output_table(
        {
            "14000": 3.5e13,
            "14100": 9e12,
            "14130": 6e12,
            "14384": 1e11,
            "14383": 3e10,
            "14402": None,
        }
    )
    rank = output_rank(table, MANAZURU, "FY2018")
    assert rank.position == 4
    assert rank.count == 4


def test_output_rank_ties_share_position():
    table = output_table({"14100": 5e10, "14384": 3e10, "14383": 3e10})
    rank = output_rank(table, MANAZURU, "FY2018")
    assert rank.position == 2
    assert rank.count == 3


def test_output_figures_from_table(master):
    table = output_table({"14100": 9e12, "14384": 1e11, "14383": 3e10})
    figures = analyse_economy(Inputs(master, {"table": table}), MANAZURU).figures
    # 3e10円 = 300.0億円, smallest of three.
    assert figures["output"].text == "300.0億円"
    assert figures["output_rank"].text == "3市町村中3位"


def test_published_rank_quoted(master):
    findings = load_findings(
        RAW / "findings" / "manazuru_economy_TRANSCRIBED.csv", display_path="e.csv"
    )
    finding = analyse_economy(Inputs(master, {"findings": findings}), MANAZURU)
    # The findings row: 2018, 生産額の県内順位 33, scope 神奈川県内33市町村中.
    assert finding.figures["quoted_output_rank"].text == (
        "神奈川県内33市町村中33位（公表値）"
    )
    assert finding.figures["quoted_output_rank_year"].text == "2018年（平成30年）"
    assert "output_rank" not in finding.figures


# --- income from outside the area: 神戸市「平成24年度 市民経済計算」 ---

KOBE = Area("28100", "神戸市", "兵庫県")
KOBE_PROJECT = TEST_DATA / "projects" / "kobe-economy"
KOBE_WORKBOOK = TEST_DATA / "tables" / "kobe_24keizaikeisann.xls"


def kobe_settings() -> dict[str, dict]:
    """Return the table datasets of the Kobe test project's databook.yml."""
    config = yaml.safe_load((KOBE_PROJECT / "databook.yml").read_text("utf-8"))
    return {
        name: settings
        for name, settings in config["datasets"].items()
        if settings["kind"] == "table"
    }


def kobe_table(master, names=None, **changes) -> Dataset:
    """Load the named datasets of the Kobe project from the real workbook."""
    parts = []
    for name, settings in kobe_settings().items():
        if names is None or name in names:
            settings = {**settings, **changes}
            parts.append(
                load_table(TableDataset(**settings), [KOBE_WORKBOOK], TEST_DATA, master)
            )
    return concat(parts)


@pytest.fixture(scope="module")
def kobe(master):
    return analyse_economy(Inputs(master, {"table": kobe_table(master)}), KOBE)


def test_item_key_drops_number_and_formula():
    # Sheet Ⅴ-1 cell A40 and sheet Ⅰ cells A7, A13 and A19, as the loader reads them.
    assert item_key("4.市民所得(要素費用表示)(1+2+3)") == "市民所得(要素費用表示)"
    assert item_key("１．雇用者報酬（市内活動）") == "雇用者報酬(市内活動)"
    assert item_key("５．市 内 総 生 産 (生産側）") == "市内総生産(生産側)"
    assert item_key("10.財貨・サービスの移出入(純)") == "財貨・サービスの移出入(純)"
    # Sheet Ⅱ-1 row 59: the formula goes, the words in brackets stay.
    assert item_key("市内総生産(4+5-6)") == "市内総生産"
    assert item_key("(控除)補助金") == "(控除)補助金"


def test_circulation_first_year_by_hand(master):
    frame, _ = circulation_frame(kobe_table(master), "28100", OUTPUT_NAMES)
    row = frame.loc["FY2001"]
    # Column B (平成13年度), 100万円. Sheet Ⅰ: row 7 雇用者報酬（市内活動）
    # 3,261,973, row 8 営業余剰・混合所得 1,303,428, row 19 財貨・サービスの
    # 移出入（純） 354,801. Sheet Ⅴ-1: row 8 市民雇用者報酬 3,123,718, row 40
    # 市民所得（要素費用表示） 4,423,514.
    # 4,423,514 − (3,261,973 + 1,303,428) = 4,423,514 − 4,565,401 = −141,887.
    assert row["inside_factor"] == 4_565_401 * MILLION
    assert row["factor_inflow"] == -141_887 * MILLION
    # 3,123,718 − 3,261,973 = −138,255.
    assert row["employee_inflow"] == -138_255 * MILLION
    assert row["net_exports"] == 354_801 * MILLION
    # 4,423,514 ÷ 4,565,401 × 100 = 96.892%.
    assert row["income_ratio"] == pytest.approx(96.8921, abs=1e-4)


def test_circulation_latest_year_figures(kobe):
    figures = kobe.figures
    assert figures["circulation_first_year"].text == "2001年度（平成13年度）"
    assert figures["circulation_year"].text == "2012年度（平成24年度）"
    # Column M (24年度). Sheet Ⅰ: M7 3,030,712 + M8 1,493,190 = 4,523,902
    # (45,239.02億円); sheet Ⅴ-1 M40 4,636,687 (46,366.87億円).
    assert figures["domestic_factor_income"].text == "45,239.0億円"
    assert figures["resident_income"].text == "46,366.9億円"
    # 4,636,687 − 4,523,902 = 112,785 百万円 = 1,127.85億円, rounded half up.
    assert figures["factor_income_inflow"].value == 112_785 * MILLION
    assert figures["factor_income_inflow"].text == "1,127.9億円の流入"
    # Sheet Ⅴ-1 M8 2,905,862 − sheet Ⅰ M7 3,030,712 = −124,850 (1,248.5億円).
    assert figures["employee_income_inflow"].text == "1,248.5億円の流出"
    # Sheet Ⅰ M19 534,917 = 5,349.17億円.
    assert figures["net_exports"].text == "5,349.2億円の移出超過"
    # 4,636,687 ÷ 4,523,902 × 100 = 102.493%.
    assert figures["income_ratio"].text == "102.5%"
    assert not kobe.absent


def test_output_from_numbered_label(kobe):
    # Sheet Ⅰ M13 「５．市内総生産（生産側）」 6,240,785 百万円 = 62,407.85億円.
    assert kobe.figures["output"].text == "62,407.9億円"
    assert kobe.figures["output_year"].text == "2012年度（平成24年度）"
    # The workbook has no other municipality to rank against.
    assert "output_rank" not in kobe.figures


def test_circulation_chart_bars(kobe):
    chart = kobe.charts["economy_circulation"]
    assert chart.kind == "grouped_bar"
    data = chart.data.set_index(["series", "period"])["value"]
    # 百万円, negative bars for the outflows of FY2001.
    assert data[("市外からの要素所得（純）", "FY2001")] == -141_887
    assert data[("市外からの雇用者報酬（純）", "FY2001")] == -138_255
    assert data[("市外からの要素所得（純）", "FY2012")] == 112_785
    assert len(data) == 24
    assert "2012年度は要素所得が1,127.9億円の流入" in chart.alt


def test_circulation_table_rows(kobe):
    table = kobe.tables["economy_circulation"]
    assert len(table.frame) == 12
    first = table.frame.iloc[0]
    assert first["period_label"] == "2001年度"
    # Sheet Ⅰ B13 市内総生産 6,221,196; the rest as in the first-year test.
    assert first["output"] == 6_221_196
    assert first["resident_income"] == 4_423_514
    assert first["factor_inflow"] == -141_887
    labels = [column.label for column in table.columns]
    assert "市外からの要素所得（純）（百万円）" in labels
    assert "財貨・サービスの移出入（純）（百万円）" in labels


def test_circulation_absent_without_income(master):
    # Sheet Ⅰ alone has no 市民所得, so the inflow cannot be computed.
    table = kobe_table(master, names=["kobe_production"])
    finding = analyse_economy(Inputs(master, {"table": table}), KOBE)
    assert "economy_circulation" not in finding.charts
    assert "economy_circulation" in finding.absent
    assert "economy.factor_income_inflow" in finding.absent
    assert "factor_income_inflow" not in finding.figures
    assert any(
        "市民所得（要素費用表示）がないため" in note for note in finding.method_notes
    )
    # Output still comes from sheet Ⅰ.
    assert finding.figures["output"].text == "62,407.9億円"


def test_circulation_absent_for_sample_town(master):
    findings = load_findings(
        RAW / "findings" / "manazuru_economy_TRANSCRIBED.csv", display_path="e.csv"
    )
    finding = analyse_economy(Inputs(master, {"findings": findings}), MANAZURU)
    assert "economy_circulation" in finding.absent
    assert "economy.circulation_year" in finding.absent
    assert "economy_circulation" not in finding.tables


def test_circulation_without_unit_noted(master):
    # Declared without unit, the values stay in 100万円 and cannot be used.
    finding = analyse_economy(
        Inputs(master, {"table": kobe_table(master, unit="")}), KOBE
    )
    assert "economy_circulation" in finding.absent
    note = next(n for n in finding.method_notes if "単位" in n)
    assert "1.雇用者報酬(市内活動)" in note
    assert "unit: 100万円" in note
