"""Builds with the town's register data: outputs, `databook check`, and privacy."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile

import pytest
from pypdf import PdfReader

from tests.conftest import RAW, TEST_DATA, copy_project, run_databook
from tests.sources.test_records import (
    ADDRESS,
    BIRTH,
    NAME,
    planted_texts,
    write_export,
    write_rows,
)
from tests.sources.test_register import merged_bilingual_workbook
from tests.test_build import pdf_text

REGISTER_SECTION = """

## 町の住民基本台帳

{{< chart register_monthly >}}

{{< table register_year >}}

{{< table register_moves >}}
"""

REGISTER_DATASET = """  register:
    kind: register-records
    file: data/raw/register/idou.csv
    threshold: 3
"""


def add_register_records(project):
    raw = project / "data" / "raw" / "register"
    raw.mkdir(parents=True)
    write_export(raw / "idou.csv")
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("\nchapters:", REGISTER_DATASET + "\nchapters:", 1)
    config.write_text(text, encoding="utf-8")
    chapter = project / "chapters" / "02-population-change.qmd"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + REGISTER_SECTION, encoding="utf-8"
    )


@pytest.fixture(scope="module")
def register_book(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("register"))
    add_register_records(project)
    result = run_databook("build", "--verbose", cwd=project)
    assert result.returncode == 0, result.stderr
    return project, result


def planted_bytes() -> list[bytes]:
    """Return the fake personal details of the export in the encodings a file uses."""
    encoded = []
    for text in planted_texts():
        encoded += [text.encode("utf-8"), text.encode("cp932")]
        encoded.append(text.encode("utf-16-le"))
    return encoded


def assert_no_planted_text(text: str) -> None:
    for planted in planted_texts():
        assert planted not in text, planted


def test_no_personal_data_in_outputs(register_book):
    project, result = register_book
    planted = planted_bytes()
    files = [
        path
        for folder in (project / "build", project / "data" / "processed")
        for path in folder.rglob("*")
        if path.is_file()
    ]
    assert len(files) > 10
    for path in files:
        data = path.read_bytes()
        for text in planted:
            assert text not in data, path
        if path.suffix == ".pdf":
            pages = "".join(page.extract_text() for page in PdfReader(path).pages)
            assert_no_planted_text(pages)
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    assert_no_planted_text(archive.read(name).decode("utf-8"))
    assert_no_planted_text(result.stdout)
    assert_no_planted_text(result.stderr)


def test_register_chart_and_tables_written(register_book):
    project, _ = register_book
    processed = project / "data" / "processed"
    assert (processed / "register_monthly.csv").is_file()
    assert (processed / "table-register_year.csv").is_file()
    moves = (processed / "table-register_moves.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(moves)))
    by_town = {row["市区町村"]: row for row in rows}
    # test_records.EVENTS: 転入元 小田原市 3 (shown), 横浜市 1 and 湯河原町 1 (x).
    assert by_town["小田原市"]["転入元として（人）"] == "3"
    assert by_town["横浜市"]["転入元として（人）"] == ""
    assert "秘匿" in by_town["横浜市"]["状態"]
    # Rows 1 and 7 of the export write 小田原市 with an address after it.
    assert set(by_town) == {"小田原市", "横浜市", "湯河原町"}


def test_suppression_note_printed(register_book):
    project, _ = register_book
    page = (project / "build" / "site" / "02-population-change.html").read_text(
        encoding="utf-8"
    )
    assert "3人未満の値" in page
    assert "住所は市区町村名までで切り" in page


def test_check_reports_every_input(tmp_path):
    project = copy_project(tmp_path / "project")
    add_register_records(project)
    merged_bilingual_workbook(project / "data" / "raw" / "register" / "table.xlsx")
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        "\nchapters:",
        "  table:\n    kind: register-table\n    file: data/raw/register/table.xlsx\n"
        "\nchapters:",
        1,
    )
    config.write_text(text, encoding="utf-8")

    result = run_databook("check", cwd=project)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "juki_soumu_muni_20210101.csv" in out
    assert "F列（人口: 使わない列）" in out
    assert "U列（増減率: 使わない列）" in out
    assert "SSDSE-A-2026.csv" in out
    assert "data/raw/register/idou.csv" in out
    # EVENTS has 25 rows, one of them the unaggregated 住所設定.
    assert "届出 24 件を集計" in out
    assert "data/raw/register/table.xlsx" in out
    assert "期間: 2019年4月、2019年5月、2019年6月" in out
    assert "期間: 2015年、2016年1月1日" in out
    assert "5行目（団体コードのない行「合計」）" in out
    assert "岩東・岩西は岩の内訳のため除外" in out
    assert not (project / "build").exists()
    assert "地区: 2（岩、真鶴）" in out
    assert "異動事由「住所設定」の 1 件（集計しない事由）" in out
    assert_no_planted_text(out)
    assert_no_planted_text(result.stderr)


def add_register_file(project, header, rows, columns="") -> None:
    """Declare a register-records export with `header` and `rows`."""
    raw = project / "data" / "raw" / "register"
    raw.mkdir(parents=True)
    write_rows(raw / "idou.csv", header, rows)
    config = project / "databook.yml"
    dataset = REGISTER_DATASET + (f"    columns: {columns}\n" if columns else "")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\nchapters:", dataset + "\nchapters:", 1))


HOUSEHOLD_ROWS = [
    ["2023/1/5", "転入", f"{NAME}{n}", ADDRESS, BIRTH, f"小田原市{n}番地"]
    for n in range(6)
]
HOUSEHOLD_HEADER = ["異動日", "異動事由", "世帯主", "住所", "生年月日", "転入元"]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("{other_municipality: 世帯主}", "列「世帯主」は個人を特定できる情報"),
        ("{other_municipality: 生年月日}", "列「生年月日」は個人を特定できる情報"),
        ("{district: 住所}", "列「住所」は個人を特定できる情報"),
    ],
)
def test_check_rejects_personal_mapping(tmp_path, columns, message):
    project = copy_project(tmp_path / "project")
    add_register_file(project, HOUSEHOLD_HEADER, HOUSEHOLD_ROWS, columns)
    result = run_databook("check", cwd=project)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    for text in (NAME, ADDRESS, BIRTH, "番地"):
        assert text not in result.stdout + result.stderr


def test_check_hides_bad_age(tmp_path):
    project = copy_project(tmp_path / "project")
    rows = [[*row[:2], BIRTH] for row in HOUSEHOLD_ROWS]
    add_register_file(project, ["異動日", "異動事由", "年齢"], rows)
    result = run_databook("check", cwd=project)
    assert result.returncode == 1
    assert "data/raw/register/idou.csv、セル C2" in result.stderr
    assert "年齢が 0 以上の整数ではありません" in result.stderr
    assert BIRTH not in result.stderr
    assert "1950" not in result.stdout + result.stderr


# --- An age pyramid from the 静岡市 age table --------------------------------------

AGE_CONFIG = """municipality: "22100"
edition: 2025
datasets:
  municipalities:
    kind: municipalities
    file: data/raw/codes/localgovjp-utf8.csv
  ages:
    kind: register-table
    file: data/raw/register/shizuoka_221007_population_202303.csv
    title: 静岡市「学区別・年齢別人口」
chapters:
  - file: chapters/01-population.qmd
    analysis: age_pyramid
"""
AGE_CHAPTER = """---
title: 人口
---

{{< var age_pyramid.date >}}現在の人口は{{< var age_pyramid.total >}}です。
最も多い5歳階級は{{< var age_pyramid.largest_class >}}です。

{{< chart age_pyramid >}}

{{< table age_pyramid >}}
"""


@pytest.fixture(scope="module")
def pyramid_book(tmp_path_factory):
    project = tmp_path_factory.mktemp("pyramid")
    (project / "data" / "raw" / "codes").mkdir(parents=True)
    (project / "data" / "raw" / "register").mkdir()
    (project / "chapters").mkdir()
    shutil.copy(RAW / "codes" / "localgovjp-utf8.csv", project / "data/raw/codes")
    shutil.copy(
        TEST_DATA / "register" / "shizuoka_221007_population_202303.csv",
        project / "data" / "raw" / "register",
    )
    (project / "databook.yml").write_text(AGE_CONFIG, encoding="utf-8")
    chapter = project / "chapters" / "01-population.qmd"
    chapter.write_text(AGE_CHAPTER, encoding="utf-8")
    result = run_databook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def test_pyramid_on_site_page(pyramid_book):
    page = (pyramid_book / "build" / "site" / "01-population.html").read_text(
        encoding="utf-8"
    )
    assert 'id="plot-age_pyramid"' in page
    assert "静岡市の5歳階級別人口（2023年3月31日現在）" in page
    # The 75 lines' DR 50～54歳 add up to 53,205, the largest class.
    assert "最も多い5歳階級は50～54歳です。" in page
    assert "53,205" in page


def test_pyramid_in_pdf_text(pyramid_book):
    text = pdf_text(pyramid_book / "build" / "databook.pdf")
    assert "図1-1" in text
    assert "静岡市の5歳階級別人口（2023年3月31日現在）" in text
    assert "100歳以上" in text
    assert "出典：静岡市「学区別・年齢別人口」" in text
    # Sum of I 総数 over the 75 lines.
    assert "680,913" in text


def test_pyramid_writes_no_district_rows(pyramid_book):
    ages = (pyramid_book / "data" / "processed" / "age_pyramid.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(ages.decode("utf-8-sig"))))
    assert len(rows) == 21
    assert {row["地域コード"] for row in rows} == {"22100"}
    # F2 町丁字 城内町7-9, E3 学区・地区 新通 and E76 蒲原 of the file.
    names = ("城内町", "新通", "蒲原")
    for folder in ("build", "data/processed"):
        for path in (pyramid_book / folder).rglob("*"):
            if path.is_file() and path.suffix in (".csv", ".html", ".json"):
                content = path.read_text(encoding="utf-8-sig")
                for name in names:
                    assert name not in content, path
