"""Plotly figures: printed sizes, cut rankings and horizontal bars."""

from __future__ import annotations

import math

import pytest

from databook.analysis.common import Area
from databook.analysis.industry import analyse_industry
from databook.analysis.population import analyse_population
from databook.charts.figures import (
    CSS_PIXELS_PER_MM,
    GAP_LABEL,
    PRINT_CHART_MAX_MM,
    build_figure,
    max_print_rows,
    print_cut_note,
    print_size,
)
from databook.inputs import Inputs
from databook.sources.codes import load_master
from databook.sources.ssdse import load_ssdse
from tests.conftest import RAW

OBIHIRO = Area("01207", "帯広市", "北海道")
MANAZURU = Area("14383", "真鶴町", "神奈川県")


@pytest.fixture(scope="module")
def inputs():
    industries = ["32", "33", "35", "36", "37", "38", "39", "40", "41"]
    industries += ["44", "45", "46", "47", "48", "49", "50", "51", "52"]
    items = ["A1101", "A1301", "A1302", "A1303", "C2108", "C2208"]
    items += [f"{total}{code}" for total in ("C2108", "C2208") for code in industries]
    dataset = load_ssdse(sorted((RAW / "ssdse").glob("*.csv")), items=items)
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    return Inputs(master, {"ssdse-a": dataset})


def test_long_ranking_cut_for_print(inputs):
    # SSDSE-A-2026 has 179 lines whose code starts R01 (北海道's
    # municipalities, 札幌市 as one city), each with a 2020 ageing rate.
    spec = analyse_population(inputs, OBIHIRO).charts["ageing_prefecture"]
    assert len(spec.data) == 179

    figure = build_figure(spec, for_print=True, paper="A4")

    labels = list(figure.data[0].customdata)
    assert len(labels) <= max_print_rows("A4")
    assert "帯広市" in labels
    assert labels[0] == spec.data["x"].iloc[0]
    assert labels[-1] == spec.data["x"].iloc[-1]
    assert GAP_LABEL in labels
    # The rows around 帯広市 are kept: 3 above and 3 below it.
    own = list(spec.data["x"]).index("帯広市")
    assert labels[labels.index("帯広市") - 3] == spec.data["x"].iloc[own - 3]
    assert labels[labels.index("帯広市") + 3] == spec.data["x"].iloc[own + 3]
    # A gap row has no bar.
    gap = labels.index(GAP_LABEL)
    assert math.isnan(figure.data[0].x[gap])


def test_cut_ranking_fits_printed_page(inputs):
    spec = analyse_population(inputs, OBIHIRO).charts["ageing_prefecture"]
    for paper in ("A4", "A5"):
        _, height = print_size(spec, paper)
        assert height <= PRINT_CHART_MAX_MM[paper] * CSS_PIXELS_PER_MM, paper


def test_cut_note_counts_rows(inputs):
    spec = analyse_population(inputs, OBIHIRO).charts["ageing_prefecture"]
    note = print_cut_note(spec, "A4")
    assert note.startswith("全179市町村のうち、上位")
    assert "帯広市の前後" in note


def test_short_ranking_kept_whole(inputs):
    # Kanagawa has 33 municipalities, which fit an A4 page.
    spec = analyse_population(inputs, MANAZURU).charts["ageing_prefecture"]
    assert len(spec.data) == 33
    figure = build_figure(spec, for_print=True, paper="A4")
    assert list(figure.data[0].customdata) == list(spec.data["x"])
    assert print_cut_note(spec, "A4") is None


def test_site_ranking_keeps_every_row(inputs):
    spec = analyse_population(inputs, OBIHIRO).charts["ageing_prefecture"]
    figure = build_figure(spec)
    assert list(figure.data[0].customdata) == list(spec.data["x"])
    assert list(figure.layout.yaxis.ticktext) == list(spec.data["x"])


def test_industry_shares_drawn_across(inputs):
    spec = analyse_industry(inputs, MANAZURU).charts["industry_shares"]
    figure = build_figure(spec, for_print=True)
    assert spec.kind == "horizontal_bar"
    assert {trace.orientation for trace in figure.data} == {"h"}
    # 18 industries with three series (town, prefecture, nation) still fit
    # an A4 page without being scaled down.
    _, height = print_size(spec, "A4")
    assert height <= PRINT_CHART_MAX_MM["A4"] * CSS_PIXELS_PER_MM
