"""`databook new`: finding a municipality, and real builds of awkward ones."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from databook.analysis.finance import ITEMS as FINANCE_ITEMS
from databook.analysis.industry import EMPLOYEES, ESTABLISHMENTS
from databook.errors import ConfigError, InputError
from databook.new import create_project, find_municipality
from databook.sources.codes import load_master
from tests.conftest import RAW, run_databook, words_past_margin


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


# Codes from data/raw/codes/localgovjp-utf8.csv, columns cid and lgcode.
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("14383", "14383"),
        ("143839", "14383"),
        ("１４３８３", "14383"),
        ("真鶴町", "14383"),
        ("足柄下郡真鶴町", "14383"),
        ("神奈川県真鶴町", "14383"),
        ("神奈川県足柄下郡真鶴町", "14383"),
        ("札幌市", "01100"),
        ("千代田区", "13101"),
        ("那珂川市", "40231"),
        ("東京都府中市", "13206"),
        ("広島県府中市", "34208"),
        ("茅ケ崎市", "14207"),
    ],
)
def test_find_municipality(master, query, code):
    assert find_municipality(master, query).code == code


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("府中市", ["東京都府中市（13206）", "広島県府中市（34208）"]),
        ("伊達市", ["北海道伊達市（01233）", "福島県伊達市（07213）"]),
    ],
)
def test_ambiguous_name_lists_candidates(master, name, candidates):
    with pytest.raises(ConfigError) as caught:
        find_municipality(master, name)
    for candidate in candidates:
        assert candidate in caught.value.message


def test_four_digit_code_suggests_leading_zero(master):
    # 01100 is 札幌市 in localgovjp-utf8.csv, so 1100 may be it without its 0.
    with pytest.raises(ConfigError) as caught:
        find_municipality(master, "1100")
    assert "4桁のコード 1100 は使えません" in caught.value.message
    assert "01100（北海道札幌市）" in caught.value.hint


def test_wrong_check_digit_names_right_one(master):
    # JIS X 0402: 1·6 + 4·5 + 3·4 + 8·3 + 3·2 = 68; 68 mod 11 = 2; 11 − 2 = 9.
    with pytest.raises(ConfigError) as caught:
        find_municipality(master, "143838")
    assert "143839" in caught.value.hint


def test_ward_points_to_its_city(master):
    with pytest.raises(ConfigError) as caught:
        find_municipality(master, "札幌市中央区")
    assert "北海道札幌市" in caught.value.hint


def test_unknown_name_rejected(master):
    with pytest.raises(ConfigError) as caught:
        find_municipality(master, "真鶴村")
    assert "真鶴村" in caught.value.message


def test_new_rejects_non_empty_folder(master, tmp_path):
    (tmp_path / "note.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError):
        create_project(master.get("14383"), tmp_path, RAW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.txt"]


def test_new_rejects_data_folder_without_ssdse(master, tmp_path):
    data = tmp_path / "data"
    (data / "codes").mkdir(parents=True)
    shutil.copy(RAW / "codes" / "localgovjp-utf8.csv", data / "codes")
    with pytest.raises(InputError) as caught:
        create_project(master.get("14383"), tmp_path / "book", data)
    assert "ssdse/SSDSE-A-*.csv" in caught.value.message


def test_cli_ambiguous_name_fails(tmp_path):
    result = run_databook("new", "伊達市", cwd=tmp_path)
    assert result.returncode != 0
    assert "北海道伊達市（01233）" in result.stderr
    assert "福島県伊達市（07213）" in result.stderr
    assert list(tmp_path.iterdir()) == []


# From data/raw/ssdse/SSDSE-A-2026.csv, on the line of each code (lines 4,
# 631, 725, 1499 and 722): column D A1101 総人口 of the 2020 census, column BF
# C2208 従業者数（民営） of the 2021 経済センサス, and 住民1人当たり地方税 =
# column CE D320101 地方税 (FY2022, 千円) × 1000 ÷ column D, rounded:
# 札幌市 347,606,361,000 ÷ 1,973,395 = 176,146.3; 千代田区 22,504,047,000 ÷
# 66,680 = 337,493.2; 清川村 1,288,322,000 ÷ 3,038 = 424,069.1; 那珂川市
# 6,543,926,000 ÷ 50,112 = 130,585.7; 真鶴町 879,471,000 ÷ 6,722 = 130,834.7.
AWKWARD = [
    pytest.param(
        "札幌市",
        "01100",
        ("1,973,395人", "872,779人", "176,146円"),
        id="designated-city",
    ),
    pytest.param(
        "13101",
        "13101",
        ("66,680人", "1,111,656人", "337,493円"),
        id="tokyo-special-ward",
    ),
    pytest.param(
        "清川村", "14402", ("3,038人", "1,328人", "424,069円"), id="small-village"
    ),
    pytest.param(
        "那珂川市",
        "40231",
        ("50,112人", "15,332人", "130,586円"),
        id="town-become-city",
    ),
    pytest.param(
        "足柄下郡真鶴町",
        "14383",
        ("6,722人", "1,376人", "130,835円"),
        id="sample-town",
    ),
]
PREFECTURES = {"01": "北海道", "13": "東京都", "14": "神奈川県", "40": "福岡県"}
NEW_CHAPTERS = ("人口", "人口動態", "住民基本台帳でみた人口動態", "産業", "財政")
"""Chapter titles of a project that `databook new` writes with 住基 tables."""


@pytest.mark.parametrize(("query", "code", "figures"), AWKWARD)
def test_new_then_build(tmp_path, query, code, figures):
    created = run_databook("new", query, "book", "--edition", "2026", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / "book"
    assert f'municipality: "{code}"' in (project / "databook.yml").read_text(
        encoding="utf-8"
    )

    built = run_databook("build", cwd=project)

    assert built.returncode == 0, built.stderr
    assert "警告" not in built.stderr
    text = pdf_text(project / "build" / "databook.pdf")
    population, employees, tax_per_person = figures
    assert population in text
    assert employees in text
    assert tax_per_person in text
    # 札幌市's amounts reach ten digits in 千円, and every table still fits.
    assert words_past_margin(project / "build" / "databook.pdf", margin_mm=20) == []
    site = project / "build" / "site"
    assert (site / "index.html").is_file()
    pages = sorted(page.name for page in site.glob("0*.html"))
    assert pages == [
        "01-population.html",
        "02-population-change.html",
        "03-juki.html",
        "04-industry.html",
        "05-finance.html",
    ]
    for number, title in enumerate(NEW_CHAPTERS, start=1):
        assert f"第{number}章 {title}" in text
    # 東京都 ranks its 特別区 too, so its ranks count 市区町村.
    tokyo = code.startswith("13")
    peers, other = ("市区町村", "市町村") if tokyo else ("市町村", "市区町村")
    assert re.search(rf"\d+{peers}中\d+位", text)
    assert not re.search(rf"\d+{other}中\d+位", text)
    # Of these prefectures, only 東京都 has no 政令指定都市.
    flat = "".join(text.split())
    assert ("政令指定都市は市全体" in flat) == (not tokyo)
    prefecture = PREFECTURES[code[:2]]
    chapter = (project / "chapters" / "01-population.qmd").read_text("utf-8")
    assert f"## {prefecture}内の{peers}との比較" in chapter
    charts = project / "build" / "charts"
    for chart in ("industry_coefficients", "finance_trend"):
        assert (charts / f"{chart}.svg").stat().st_size > 0, chart


def test_town_become_city_keeps_old_code_years(tmp_path):
    # SSDSE-A-2018.csv, row R40305 (那珂川町), column A4101 出生数 with
    # year 2016 in row 2: 493. The 2020 and later editions list the city
    # under 40231 only, so this year comes from the old code.
    created = run_databook("new", "40231", "book", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / "book"
    built = run_databook("build", cwd=project)
    assert built.returncode == 0, built.stderr
    table = (project / "data" / "processed" / "table-population_change.csv").read_text(
        encoding="utf-8-sig"
    )
    rows = [line.split(",") for line in table.splitlines()]
    header = rows[0]
    row_2016 = next(row for row in rows if row[header.index("年")] == "2016年")
    assert row_2016[header.index("出生数（人）")] == "493"


def test_area_missing_from_every_file_builds(tmp_path):
    """A municipality absent from SSDSE-A and 住基 gets chapters that say so.

    The data folder holds the real master, the real SSDSE-A-2026.csv without
    its line of R14402 (清川村) and the real 住基 tables without their line of
    144029, each cut in the test and byte for byte otherwise.
    """
    data = tmp_path / "data"
    (data / "codes").mkdir(parents=True)
    shutil.copy(RAW / "codes" / "localgovjp-utf8.csv", data / "codes")
    cuts = [(RAW / "ssdse" / "SSDSE-A-2026.csv", b"R14402,")]
    cuts += [(path, b"144029,") for path in sorted((RAW / "juki").glob("*.csv"))]
    for path, start in cuts:
        lines = path.read_bytes().splitlines(True)
        kept = [line for line in lines if not line.startswith(start)]
        assert len(kept) == len(lines) - 1, path.name
        target = data / path.parent.name / path.name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(b"".join(kept))

    created = run_databook("new", "清川村", "book", "--data", str(data), cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    built = run_databook("build", cwd=tmp_path / "book")

    assert built.returncode == 0, built.stderr
    assert "population.total" in built.stderr
    assert "データなし" in built.stderr
    assert "juki.population" in built.stderr
    text = pdf_text(tmp_path / "book" / "build" / "databook.pdf")
    assert "清川村の国勢調査人口がデータにないため" in text
    assert "（データなし）" in text
    assert "このグラフは載せていません" in text

    # The Quarto project prints the same placeholders: every shortcode of its
    # chapter copies has a value or a fragment.
    quarto = tmp_path / "book" / "build" / "quarto"
    variables = yaml.safe_load((quarto / "_variables.yml").read_text("utf-8"))
    assert variables["population"]["total"] == "（データなし）"
    for chapter in quarto.glob("[0-9]*.qmd"):
        text = chapter.read_text("utf-8")
        for kind, name in re.findall(r"\{\{< (chart|table) (\S+) >\}\}", text):
            fragment = quarto / "_fragments" / chapter.stem / f"{kind}-{name}.md"
            assert fragment.is_file(), fragment
        for name in re.findall(r"\{\{< var (\S+) >\}\}", text):
            group, key = name.split(".", 1)
            assert key in variables.get(group, {}), name
    missing = quarto / "_fragments" / "01-population" / "chart-age_structure.md"
    assert "このグラフは載せていません" in missing.read_text("utf-8")


def test_new_without_juki_leaves_its_chapter_out(master, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(RAW / "codes", data / "codes")
    shutil.copytree(RAW / "ssdse", data / "ssdse")

    create_project(master.get("14383"), tmp_path / "book", data)

    config = (tmp_path / "book" / "databook.yml").read_text(encoding="utf-8")
    assert "kind: juki" not in config
    assert "03-juki.qmd" not in config
    assert not (tmp_path / "book" / "chapters" / "03-juki.qmd").exists()
    assert not (tmp_path / "book" / "data" / "raw" / "juki").exists()


def test_new_with_juki_adds_its_chapter(master, tmp_path):
    create_project(master.get("14383"), tmp_path / "book", RAW)

    config = (tmp_path / "book" / "databook.yml").read_text(encoding="utf-8")
    assert "kind: juki" in config
    assert "analysis: juki" in config
    juki_files = sorted((tmp_path / "book" / "data" / "raw" / "juki").iterdir())
    assert len(juki_files) == len(list((RAW / "juki").glob("*.csv")))


def test_evacuated_town_builds(tmp_path):
    # SSDSE-A-2021.csv and SSDSE-A-2026.csv, row R07546 (双葉町): A1101 総人口
    # is 0 in both the 2015 and the 2020 census, and so are A1301–A1303. No
    # rate, share or rank can be computed, so the book prints 「―」.
    created = run_databook("new", "双葉町", "book", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    built = run_databook("build", cwd=tmp_path / "book")

    assert built.returncode == 0, built.stderr
    text = pdf_text(tmp_path / "book" / "build" / "databook.pdf")
    assert "総人口は0人" in text
    assert "高齢化率は―" in text
    assert "国勢調査の人口が0人のため計算できない" in text
    # SSDSE-A-2026 line 405: 地方税 (column CE) 1,325,621 千円 for 0 residents
    # gives no per-person figure and no rank (see tests/analysis/test_finance.py).
    assert "住民1人当たりの地方税は（データなし）で" in text
    assert "人口が0人の双葉町は" in text
    # SSDSE-A-2023 line 405: 0 establishments and employees in 2016, so the
    # changes to 2021 have no rate.
    assert "増減率はそれぞれ（データなし）、（データなし）" in text.replace("\n", "")
    assert "nan" not in text
    assert "inf" not in text


CENSUS = (ESTABLISHMENTS, EMPLOYEES)


def test_new_writes_industry_and_finance(master, tmp_path):
    create_project(master.get("14383"), tmp_path / "book", RAW)

    config = yaml.safe_load(
        (tmp_path / "book" / "databook.yml").read_text(encoding="utf-8")
    )
    chapters = {chapter["file"]: chapter["analysis"] for chapter in config["chapters"]}
    assert chapters["chapters/04-industry.qmd"] == "industry"
    assert chapters["chapters/05-finance.qmd"] == "finance"
    for name in ("04-industry.qmd", "05-finance.qmd"):
        text = (tmp_path / "book" / "chapters" / name).read_text(encoding="utf-8")
        assert "真鶴" not in text
    industry = (tmp_path / "book" / "chapters" / "04-industry.qmd").read_text(
        encoding="utf-8"
    )
    assert "{{< chart industry_coefficients >}}" in industry

    # Row 1 of SSDSE-A-2026.csv: the 経済センサス items are C2108 and C2208 and
    # their 18 industries (C2108xx, C2208xx).
    header = (RAW / "ssdse" / "SSDSE-A-2026.csv").read_bytes().split(b"\n", 1)[0]
    census = [c for c in header.decode("ascii").split(",") if c[:5] in CENSUS]
    assert len(census) == 38
    needed = {*census, *(code for _, code, _ in FINANCE_ITEMS), "A1101"}
    items = set(config["datasets"]["ssdse"]["items"])
    assert not needed - items
