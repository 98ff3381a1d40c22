"""Tests of the age pyramid on the real 静岡市 age table and cuts of it."""

from __future__ import annotations

import pandas as pd
import pytest

from databook.analysis.common import Area
from databook.analysis.pyramid import analyse_age_pyramid
from databook.build import is_empty
from databook.charts.figures import build_figure
from databook.inputs import Inputs
from databook.model import Finding
from databook.publish.chapters import ChapterRenderer, ChapterText
from databook.sources.register import load_register_table
from tests.conftest import TEST_DATA
from tests.sources.test_register import SEX, SHIZUOKA, shizuoka_cut

AREA = Area("22100", "静岡市", "静岡県")


def pyramid_of(path) -> Finding:
    dataset, _ = load_register_table(
        path, display_path=path.name, area_code=AREA.code, area_name=AREA.name
    )
    return analyse_age_pyramid(Inputs(None, {"register-table": dataset}), AREA)


@pytest.fixture(scope="module")
def city():
    return pyramid_of(SHIZUOKA)


@pytest.fixture
def sexes(tmp_path):
    # A derived cut: the real lines 2 (葵) and 3 (新通) with H 性別 changed
    # from 総数 to 男 and 女, so that 男 is 葵's row and 女 is 新通's.
    path = shizuoka_cut(
        tmp_path / "sexes.csv", [2, 3], changes={(2, SEX): "男", (3, SEX): "女"}
    )
    return pyramid_of(path)


def classes(finding, column):
    frame = finding.tables["age_pyramid"].frame
    return frame.set_index("age_class")[column]


def test_city_five_year_totals(city):
    # Sums over the 75 data lines of shizuoka_221007_population_202303.csv of
    # I 総数, DF 100歳以上, DG 不詳 and DH 0～4歳 … EA 95～99歳, printed by
    # python3 -c "import csv; r = list(csv.reader(open(F)))[1:]; print([sum(
    # int(x[i].replace(',', '')) for x in r) for i in (8, 109, 110,
    # *range(111, 131))])": 680913, 490, 0, 21010, 25511, …, 53205 (DR 50～54歳),
    # …, 3339.
    total = classes(city, "population")
    assert total["0～4歳"] == 21010
    assert total["50～54歳"] == 53205
    assert total["95～99歳"] == 3339
    assert total["100歳以上"] == 490
    assert total["不詳"] == 0
    assert total["総数"] == 680913
    assert list(total.index[:2]) == ["0～4歳", "5～9歳"]
    assert list(total.index[-3:]) == ["100歳以上", "不詳", "総数"]


def test_city_key_figures(city):
    figures = city.figures
    assert figures["date"].text == "2023年（令和5年）3月31日"
    assert figures["total"].text == "680,913人"
    # DR 50～54歳 53,205 is the largest of DH…EA (next: DV 70～74歳 52,174).
    assert figures["largest_class"].text == "50～54歳"
    assert figures["largest_class_population"].text == "53,205人"
    # 75歳以上: DW…EA 43006 + 35452 + 23543 + 11482 + 3339, plus DF 490,
    # is 117,312 of 680,913 (不詳 0) = 17.23%.
    assert figures["share_75_and_over"].value == pytest.approx(117312 / 680913 * 100)
    assert figures["share_75_and_over"].text == "17.2%"
    assert "male" not in figures


def test_city_without_sex_rows_one_sided(city):
    chart = city.charts["age_pyramid"]
    assert chart.kind == "age_pyramid"
    assert set(chart.data["series"]) == {"男女計"}
    assert (chart.data["value"] > 0).all()
    assert "男女別の数値はない" in chart.alt
    assert any("男女別" in note for note in city.method_notes)
    figure = build_figure(chart)
    assert min(figure.data[0].x) > 0


def test_city_method_note_names_basis(city):
    note = city.method_notes[0]
    assert "75地区の合計" in note
    assert "5歳階級の列（0～4歳から95～99歳まで）と100歳以上の列" in note


def test_city_table_shares(city):
    share = classes(city, "share")
    # DH 0～4歳 21,010 of 680,913.
    assert share["0～4歳"] == pytest.approx(21010 / 680913 * 100)
    assert pd.isna(share["総数"])
    columns = [column.label for column in city.tables["age_pyramid"].columns]
    assert columns == ["年齢", "男女計（人）", "割合（%）"]


def test_sex_split(sexes):
    # 男 = line 2 (葵): DH 0～4歳 338, DR 50～54歳 961, I 総数 11,841.
    # 女 = line 3 (新通): DH 173, DR 639, I 8,466.
    men, women = classes(sexes, "population_male"), classes(sexes, "population_female")
    total = classes(sexes, "population")
    assert men["0～4歳"] == 338
    assert women["0～4歳"] == 173
    assert total["0～4歳"] == 338 + 173
    assert men["50～54歳"] == 961
    assert women["50～54歳"] == 639
    assert men["総数"] == 11841
    assert women["総数"] == 8466
    assert sexes.figures["male"].text == "11,841人"
    assert sexes.figures["female"].text == "8,466人"
    labels = [column.label for column in sexes.tables["age_pyramid"].columns]
    assert labels == ["年齢", "男（人）", "女（人）", "総数（人）", "割合（%）"]


def test_chart_men_left_women_right(sexes):
    chart = sexes.charts["age_pyramid"]
    # The spec keeps the counts as published; the figure turns men negative.
    men = chart.data[chart.data["series"] == "男"].set_index("x")["value"]
    assert men["0～4歳"] == 338
    figure = build_figure(chart, for_print=True)
    left, right = figure.data
    assert left.name == "男"
    assert right.name == "女"
    assert left.orientation == "h"
    assert list(left.x[:1]) == [-338]
    assert max(left.x) < 0
    assert min(right.x) > 0
    assert list(right.x[:1]) == [173]


def test_chart_ticks_positive_and_symmetric(sexes):
    figure = build_figure(sexes.charts["age_pyramid"], for_print=True)
    axis = figure.layout.xaxis
    assert any(tick < 0 for tick in axis.tickvals)
    assert all(not text.startswith("-") for text in axis.ticktext)
    for tick, text in zip(axis.tickvals, axis.ticktext, strict=True):
        assert text == f"{abs(tick):,.0f}"
    assert axis.range[0] == -axis.range[1]


def test_chart_youngest_at_bottom(sexes):
    figure = build_figure(sexes.charts["age_pyramid"])
    order = list(figure.layout.yaxis.categoryarray)
    assert order[0] == "0～4歳"
    assert order[-1] == "100歳以上"
    assert "不詳" not in order
    assert figure.layout.yaxis.autorange != "reversed"


def test_chart_series_differ_in_lightness(sexes):
    left, right = build_figure(sexes.charts["age_pyramid"]).data
    assert left.marker.color != right.marker.color


def test_chart_alt_text(sexes):
    alt = sexes.charts["age_pyramid"].alt
    assert "男性を左、女性を右" in alt
    assert "下の0～4歳から上の100歳以上" in alt
    # 50～54歳 is largest: DR2 961 (葵) + DR3 639 (新通) = 1,600; next is
    # 70～74歳, DV2 865 + DV3 659 = 1,524.
    assert "50～54歳（男性961人、女性639人）" in alt


def test_without_register_table_empty():
    finding = analyse_age_pyramid(Inputs(None, {}), AREA)
    assert is_empty(finding)
    assert finding.method_notes


def test_register_table_without_ages_empty():
    path = TEST_DATA / "register" / "kobe_jinkou2708.xls"
    dataset, _ = load_register_table(
        path, display_path=path.name, area_code="28100", area_name="神戸市"
    )
    finding = analyse_age_pyramid(Inputs(None, {"register-table": dataset}), AREA)
    assert is_empty(finding)


def test_chapter_without_data_placeholder():
    finding = analyse_age_pyramid(Inputs(None, {}), AREA)
    renderer = ChapterRenderer({}, finding.charts, finding.tables)
    text = ChapterText(
        "chapters/01.qmd",
        "人口",
        "{{< chart age_pyramid >}}\n\n{{< var age_pyramid.largest_class >}}\n",
        2,
    )
    chapter = renderer.render(
        text, number=1, slug="01", notes=[], no_data=frozenset({"age_pyramid"})
    )
    html = "".join(part for part in chapter.parts if isinstance(part, str))
    assert "データがないため、このグラフは載せていません" in html
    assert "（データなし）" in html
    assert not chapter.charts
