"""Economy analysis: the published output rank and small output tables."""

import pandas as pd
import pytest

from databook.analysis.common import Area
from databook.analysis.economy import analyse_economy, output_rank
from databook.inputs import Inputs
from databook.model import TIDY_COLUMNS, Dataset, Provenance
from databook.sources.codes import load_master
from databook.sources.findings import load_findings
from tests.conftest import RAW

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
