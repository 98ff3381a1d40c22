"""The real `databook build` of 神戸市's economy from its 市民経済計算.

The project is tests/data/projects/kobe-economy/ (神戸市, 28100, one economy
chapter). The test adds the real master list and the real workbook
tests/data/tables/kobe_24keizaikeisann.xls under its data/raw/. In 24年度
(column M), 市民所得（要素費用表示） is 4,636,687 百万円 (sheet Ⅴ-1 row 40) and
雇用者報酬（市内活動） + 営業余剰・混合所得 is 3,030,712 + 1,493,190 = 4,523,902
(sheet Ⅰ rows 7 and 8), so 112,785 百万円 (1,127.85億円) flows in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import RAW, TEST_DATA, run_databook
from tests.test_new import pdf_text

PROJECT = TEST_DATA / "projects" / "kobe-economy"


def copy_kobe(target: Path) -> Path:
    shutil.copytree(PROJECT, target)
    (target / "data" / "raw" / "codes").mkdir(parents=True)
    shutil.copy(RAW / "codes" / "localgovjp-utf8.csv", target / "data/raw/codes")
    (target / "data" / "raw" / "economy").mkdir()
    shutil.copy(
        TEST_DATA / "tables" / "kobe_24keizaikeisann.xls", target / "data/raw/economy"
    )
    return target


@pytest.fixture(scope="module")
def kobe_book(tmp_path_factory) -> Path:
    project = copy_kobe(tmp_path_factory.mktemp("kobe") / "book")
    built = run_databook("build", cwd=project)
    assert built.returncode == 0, built.stderr
    return project


def test_circulation_chart_on_site(kobe_book):
    page = next((kobe_book / "build" / "site").glob("01-*.html"))
    html = page.read_text(encoding="utf-8")
    assert 'id="economy_circulation"' in html
    assert "神戸市の市外からの所得（純）の推移" in html
    csv = kobe_book / "build" / "site" / "data" / "economy_circulation.csv"
    text = csv.read_text(encoding="utf-8-sig")
    # FY2001: 4,423,514 − (3,261,973 + 1,303,428) = −141,887 百万円.
    assert ",28100,神戸市,FY2001,-141887,百万円," in text


def test_circulation_in_pdf_text(kobe_book):
    text = pdf_text(kobe_book / "build" / "databook.pdf")
    assert "神戸市の市外からの所得（純）の推移" in text
    assert "市外との間では1,127.9億円の流入でした" in text
    # 市民雇用者報酬 2,905,862 (sheet Ⅴ-1 M8) − 3,030,712 = −124,850 百万円.
    assert "雇用者報酬は1,248.5億円の流出" in text
    # The table prints FY2001's outflow with △.
    assert "△141,887" in text
    assert "載せていません" not in text


def test_circulation_absent_without_income(tmp_path):
    project = copy_kobe(tmp_path / "book")
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    start = text.index("  kobe_income:")
    end = text.index("\nchapters:")
    config.write_text(text[:start] + text[end + 1 :], encoding="utf-8")

    built = run_databook("build", cwd=project)

    assert built.returncode == 0, built.stderr
    assert "economy_circulation" in built.stderr
    assert "economy.factor_income_inflow" in built.stderr
    text = pdf_text(project / "build" / "databook.pdf")
    assert "（データがないため、このグラフは載せていません。）" in text
    assert "（データがないため、この表は載せていません。）" in text
    assert "市外との間では（データなし）でした" in text
    # Output still comes from sheet Ⅰ M13: 6,240,785 百万円 = 62,407.85億円.
    assert "62,407.9億円" in text
