"""Files offered on the site: per chart and table, one workbook, a catalogue."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from databook.publish.site import page_weight
from tests.conftest import block_ids
from tests.test_build import parse_page


@pytest.fixture(scope="module")
def charts(sample_book) -> list[str]:
    return [name for _, kind, name in block_ids(sample_book) if kind == "chart"]


@pytest.fixture(scope="module")
def tables(sample_book) -> list[str]:
    return [
        f"table-{name}" for _, kind, name in block_ids(sample_book) if kind == "table"
    ]


def test_every_chart_offers_five_formats(sample_book, charts, tables):
    site = sample_book / "build" / "site"
    links = set()
    for page in site.glob("0*.html"):
        links |= {link for link in parse_page(page).links if link.startswith("data/")}
    assert "vital" in charts
    for chart in charts:
        for suffix in ("csv", "json", "xlsx", "png", "svg"):
            assert f"data/{chart}.{suffix}" in links, (chart, suffix)
            assert (site / "data" / f"{chart}.{suffix}").stat().st_size > 0
    for table in tables:
        for suffix in ("csv", "json", "xlsx"):
            assert f"data/{table}.{suffix}" in links, (table, suffix)


def test_json_holds_csv_values(sample_book):
    data = sample_book / "build" / "site" / "data"
    document = json.loads((data / "vital.json").read_text(encoding="utf-8"))
    rows = list(
        csv.DictReader(
            io.StringIO((data / "vital.csv").read_text(encoding="utf-8-sig"))
        )
    )
    assert document["number"] == "図2-1"
    assert document["source"].startswith("出典：厚生労働省「人口動態統計」")
    assert len(document["rows"]) == len(rows)
    for from_json, from_csv in zip(document["rows"], rows, strict=True):
        assert str(from_json["値"]) == from_csv["値"]
        assert from_json["期間"] == from_csv["期間"]
    # SSDSE-A-2026.csv line 722, column W: 13 births in 2023.
    births_2023 = [
        r for r in document["rows"] if r["期間"] == "2023" and r["系列"] == "出生数"
    ]
    assert births_2023[0]["値"] == 13


def test_workbook_has_every_chart_and_table(sample_book):
    workbook = load_workbook(sample_book / "build" / "site" / "data" / "databook.xlsx")
    assert workbook.sheetnames[0] == "目次"
    numbers = [number for number, _, _ in block_ids(sample_book)]
    assert numbers[:4] == ["図1-1", "表1-1", "図1-2", "表1-2"]
    assert workbook.sheetnames[1:] == numbers
    sheet = workbook["表2-1"]
    assert sheet["A1"].value.startswith("表2-1")
    assert sheet["A2"].value.startswith("出典：")
    header = [cell.value for cell in sheet[4]]
    assert header[:2] == ["年", "出生数（人）"]
    # 2016 row: SSDSE-A-2018 line 722, W 27, X 141; natural change 27 − 141 = −114.
    row = [cell for cell in sheet[5]]
    assert row[0].value == "2016年"
    assert row[1].value == 27
    assert row[3].value == -114
    assert "△" in row[3].number_format


def test_catalogue_lists_every_dataset(sample_book, charts, tables):
    site = sample_book / "build" / "site"
    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    assert catalogue["language"] == "ja"
    identifiers = [d["identifier"] for d in catalogue["datasets"]]
    assert sorted(identifiers) == sorted(charts + tables)
    for dataset in catalogue["datasets"]:
        assert dataset["source"]
        assert dataset["license"]
        for distribution in dataset["distributions"]:
            assert (site / distribution["downloadURL"]).is_file(), distribution
    vital = next(d for d in catalogue["datasets"] if d["identifier"] == "vital")
    assert vital["temporal"] == "2016/2023"


def test_opendata_page_links_everything(sample_book, charts):
    site = sample_book / "build" / "site"
    links = set(parse_page(site / "opendata.html").links)
    assert "catalogue.json" in links
    assert "data/databook.xlsx" in links
    for chart in charts:
        assert f"data/{chart}.csv" in links


def test_chapter_pages_under_weight_budget(sample_book):
    # A first visit transfers the page, site.css and plotly.js, all gzipped.
    for page in (sample_book / "build" / "site").glob("0*.html"):
        assert page_weight(page) < 1_600_000, page.name


# 特化係数 of 真鶴町 in SSDSE-A-2026 (line 722; Kanagawa the 33 lines R14…,
# the nation all 1,741): BS C220847 宿泊業、飲食サービス業 294 of BF C2208
# 1376; Kanagawa 311,021 of 3,525,744, nation 4,676,445 of 57,937,290.
# 対県 (294 × 3525744) ÷ (1376 × 311021) = 2.42209; 対全国 (294 × 57937290) ÷
# (1376 × 4676445) = 2.64711. BG C220832 農業、林業 is 0 employees.
LODGING = "宿泊業、飲食サービス業"


def _coefficient_rows(data) -> list[dict]:
    text = (data / "industry_coefficients.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_coefficients_table_two_decimals(sample_book):
    site = sample_book / "build" / "site"
    page = site / "03-industry.html"
    tables = [
        t for t in parse_page(page).tables if t["figure"] == "industry_coefficients"
    ]
    header, *body = tables[0]["rows"]
    assert header == ["産業（大分類）", "対神奈川県", "対全国"]
    rows = {row[0]: row[1:] for row in body}
    assert rows[LODGING] == ["2.42", "2.65"]
    assert rows["農業、林業"] == ["0.00", "0.00"]
    # The hover texts state the same decimals. Without digits, the employees
    # chart keeps whole numbers and the shares chart (horizontal bars, so the
    # value is x) in % one decimal.
    html = page.read_text(encoding="utf-8")
    assert "%{customdata:,.2f}" in html
    assert "%{x:,.0f}" in html
    assert "%{x:,.1f}%" in html


def test_coefficients_csv_full_precision(sample_book):
    rows = _coefficient_rows(sample_book / "build" / "site" / "data")
    lodging = [r for r in rows if f"（{LODGING}）" in r["指標"]]
    values = {r["系列"]: r["値"] for r in lodging}
    assert float(values["対神奈川県"]) == pytest.approx(2.42209, abs=0.00001)
    assert float(values["対全国"]) == pytest.approx(2.64711, abs=0.00001)
    # Not rounded to the 2 decimals printed.
    assert len(values["対全国"].split(".")[1]) > 2
    assert {r["単位"] for r in rows} == {""}


def test_coefficients_json_and_excel(sample_book):
    data = sample_book / "build" / "site" / "data"
    from_csv = {(r["系列"], r["指標"]): float(r["値"]) for r in _coefficient_rows(data)}
    document = json.loads(
        (data / "industry_coefficients.json").read_text(encoding="utf-8")
    )
    for row in document["rows"]:
        assert row["値"] == from_csv[(row["系列"], row["指標"])]
    assert "1.0" in document["description"]

    sheet = load_workbook(data / "industry_coefficients.xlsx").active
    header = [cell.value for cell in sheet[4]]
    value_column = header.index("値") + 1
    cells = [
        sheet.cell(row=r, column=value_column) for r in range(5, sheet.max_row + 1)
    ]
    assert len(cells) == 36
    for cell in cells:
        assert cell.number_format == '#,##0.00;"△"#,##0.00'
    stored = {round(cell.value, 5) for cell in cells}
    assert 2.64711 in stored
