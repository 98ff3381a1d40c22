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
