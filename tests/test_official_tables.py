"""Datasets of kind resas, table and findings declared in databook.yml."""

import shutil

from databook.config import load_config
from databook.inputs import load_inputs
from tests.conftest import TEST_DATA, run_databook

DECLARATIONS = """
  resas_population:
    kind: resas
    file: data/raw/resas/population.json
    endpoint: population/composition/perYear
    area: "01"
  fishery_census:
    kind: table
    files: [data/raw/fishery/census2013.xls]
    source: 農林水産省「2013年漁業センサス」
    sheet: j119-25-002
    header_rows: [7, 8, 9]
    data_rows: 12-742
    prefecture_column: A
    area_column: C
    sum_repeated_areas: true
    period: "2013"
    period_kind: census
    columns: {F: 漁業経営体数}
    unit: 経営体
    zero_marks: ["-"]
  findings:
    kind: findings
    file: data/raw/findings/manazuru_tourism_TRANSCRIBED.csv
"""


def declare(project):
    raw = project / "data" / "raw"
    (raw / "resas").mkdir()
    (raw / "fishery").mkdir(exist_ok=True)
    shutil.copy(
        TEST_DATA / "resas" / "resas_population_composition_perYear_pref01_purinx.json",
        raw / "resas" / "population.json",
    )
    shutil.copy(
        TEST_DATA
        / "tables"
        / "gyogyo_census2013_vol3_keieitai_kaisou_shikuchoson_gakulab.xls",
        raw / "fishery" / "census2013.xls",
    )
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("\nchapters:", DECLARATIONS + "\nchapters:", 1)
    config.write_text(text, encoding="utf-8")


def test_inputs_by_kind(project):
    declare(project)
    inputs = load_inputs(load_config(project / "databook.yml"))
    resas = inputs.require("resas", needed_by="test")
    assert resas.frame["area_name"].unique().tolist() == ["北海道"]
    fishery = inputs.require("table", needed_by="test")
    declared = [
        key
        for key, source in fishery.provenance.items()
        if source.file == "data/raw/fishery/census2013.xls"
    ]
    town = fishery.frame[
        (fishery.frame["area_code"] == "14383")
        & fishery.frame["source_id"].isin(declared)
    ]
    # Sheet row 262 (真鶴町), column F: 41.
    assert town["value"].tolist() == [41]
    provenance = fishery.provenance[town["source_id"].iloc[0]]
    assert provenance.file == "data/raw/fishery/census2013.xls"
    findings = inputs.require("findings", needed_by="test")
    assert "39,820人" in set(findings.frame["statement"])


def test_fetch_says_resas_ended(project):
    declare(project)
    result = run_databook("fetch", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "resas_population" in result.stderr
    assert "2025年3月24日に提供を終了" in result.stderr
    assert "国勢調査" in result.stderr


def test_resas_json_needs_endpoint(project):
    declare(project)
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("    endpoint: population/composition/perYear\n", ""),
        encoding="utf-8",
    )
    result = run_databook("build", cwd=project)
    assert result.returncode == 1
    assert "設定 endpoint が必要です" in result.stderr


OWN_SERIES = """
  own_series:
    kind: table
    files: [data/raw/own/access.csv]
    source: 真鶴町 企画調整課「町のWebサイトのアクセス数」
    area: "14383"
    period_column: 年度
    period_kind: fiscal_year
    columns: {閲覧数: トップページ閲覧数}
    unit: 千件
"""
OWN_CHAPTER = """---
title: 町の情報発信
---

町のWebサイトのトップページは{{< var series.トップページ閲覧数 >}}閲覧されました。

{{< chart series-トップページ閲覧数 >}}

{{< table series-トップページ閲覧数 >}}
"""


def test_own_series_becomes_chart_and_table(project):
    # The counts are test input written here (a town's own series), not data.
    own = project / "data" / "raw" / "own"
    own.mkdir()
    (own / "access.csv").write_bytes(
        "年度,閲覧数\r\n令和3年度,12.5\r\n令和4年度,-\r\n令和5年度,14\r\n".encode(
            "cp932"
        )
    )
    (project / "chapters" / "03-own.qmd").write_text(OWN_CHAPTER, encoding="utf-8")
    config = project / "databook.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("\nchapters:", OWN_SERIES + "\nchapters:", 1)
    text = text.replace(
        "\noutput:", "\n  - file: chapters/03-own.qmd\n    analysis: series\n\noutput:"
    )
    config.write_text(text, encoding="utf-8")

    result = run_databook("build", cwd=project)
    assert result.returncode == 0, result.stderr

    page = next((project / "build" / "site").glob("*own*.html"))
    html = page.read_text(encoding="utf-8")
    # 令和5年度 = FY2023: 14 千件 = 14,000件.
    assert "14,000件" in html
    assert "出典：真鶴町 企画調整課「町のWebサイトのアクセス数」" in html
    assert html.count("出典：") >= 2
    data = project / "build" / "site" / "data"
    assert any("トップページ閲覧数" in p.name for p in data.glob("*.csv"))
