"""The real `databook build` of a Hokkaido town from 北海道観光入込客数調査.

The project is tests/data/projects/hokkaido-niseko/ (ニセコ町, 01395, one
tourism chapter). The test adds the real master list and the real monthly
files of tests/data/tables/hokkaido/ (FY2006, FY2009, FY2010, FY2019) under
its data/raw/. ニセコ町 内宿泊客 is line 228 of the FY2019 file (千人):
april … march 18.5, 26.3, 26.8, 33.6, 41.2, 29.6, 25.3, 19.7, 30.2, 38.7,
33.5, 10.3, which add up to 333.7, the file's sum.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from databook.sources.codes import load_master
from tests.conftest import RAW, TEST_DATA, run_databook
from tests.test_new import pdf_text

PROJECT = TEST_DATA / "projects" / "hokkaido-niseko"


def copy_niseko(target: Path) -> Path:
    shutil.copytree(PROJECT, target)
    (target / "data" / "raw" / "codes").mkdir(parents=True)
    shutil.copy(RAW / "codes" / "localgovjp-utf8.csv", target / "data/raw/codes")
    shutil.copytree(TEST_DATA / "tables" / "hokkaido", target / "data/raw/tourism")
    return target


@pytest.fixture(scope="module")
def niseko_book(tmp_path_factory) -> Path:
    project = copy_niseko(tmp_path_factory.mktemp("niseko") / "book")
    built = run_databook("build", cwd=project)
    assert built.returncode == 0, built.stderr
    return project


def test_seasonality_chart_on_site(niseko_book):
    page = next((niseko_book / "build" / "site").glob("01-*.html"))
    html = page.read_text(encoding="utf-8")
    assert 'id="tourism_seasonality"' in html
    assert "ニセコ町の月別の宿泊客数" in html
    csv = niseko_book / "build" / "site" / "data" / "tourism_seasonality.csv"
    text = csv.read_text(encoding="utf-8-sig")
    # August 41.2 千人 → 41,200 人 in the chart's data.
    assert ",ニセコ町,2019-08,41200,人," in text


def test_seasonality_in_pdf_text(niseko_book):
    text = pdf_text(niseko_book / "build" / "databook.pdf")
    assert "ニセコ町の月別の宿泊客数" in text
    # August 41.2 ÷ 333.7 = 12.346%; March 10.3 ÷ 333.7 = 3.087%.
    assert "8月（12.3%）が最も多く" in text
    assert "3月（3.1%）が最も少なく" in text
    assert "載せていません" not in text


def test_seasonality_absent_without_months(tmp_path):
    project = copy_niseko(tmp_path / "book")
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    line = "    months_in_columns: true      # april … march の列を月ごとに読む\n"
    assert line in text
    config.write_text(text.replace(line, ""), encoding="utf-8")

    built = run_databook("build", cwd=project)

    assert built.returncode == 0, built.stderr
    assert "tourism_seasonality" in built.stderr
    assert "tourism.peak_month_with_share" in built.stderr
    text = pdf_text(project / "build" / "databook.pdf")
    assert "（データがないため、このグラフは載せていません。）" in text
    assert "（データがないため、この表は載せていません。）" in text
    assert "（データなし）が最も多く" in text
    # The yearly series still comes from column sum: 333.7 千人.
    assert "333,700人" in text


def test_niseko_aliases_name_municipalities():
    config = yaml.safe_load((PROJECT / "databook.yml").read_text(encoding="utf-8"))
    aliases = config["datasets"]["hokkaido_tourism"]["area_aliases"]
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    for name, target in aliases.items():
        assert len(master.find_by_name("北海道", target)) == 1, target
        # An alias of a current municipality's name would move its rows.
        assert not master.find_by_name("北海道", name), name
