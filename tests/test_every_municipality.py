"""Every municipality of two awkward prefectures gets a book's chapters.

Runs the analyses, renders the chapters and formats every table cell (no
chart images, no PDF) for each municipality of 福島県 (towns emptied by the
2011 evacuation, with a census count of 0) and 東京都 (special wards and
island villages of a few hundred people). Doing the same for all 1,741
municipalities took 187 s on a 2-core machine, too long for the test suite.
"""

from __future__ import annotations

import shutil

import pytest

from databook.build import ANALYSES, assemble_book, resolve_area
from databook.config import load_config
from databook.inputs import load_inputs
from databook.new import create_project
from databook.publish.data import table_cells
from databook.sources.codes import load_master
from tests.conftest import RAW


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    folder = tmp_path_factory.mktemp("every") / "book"
    create_project(master.get("14383"), folder, RAW, edition=2026)
    config = load_config(folder / "databook.yml")
    yield config, load_inputs(config)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("prefecture", ["07", "13"])
def test_every_municipality_renders(project, prefecture):
    config, inputs = project
    municipalities = inputs.master.in_prefecture(prefecture)
    # localgovjp-utf8.csv: 59 rows with pid 7, 62 rows with pid 13 (no wards
    # of a 政令指定都市 in either prefecture).
    assert len(municipalities) == {"07": 59, "13": 62}[prefecture]

    for municipality in municipalities:
        config.municipality = municipality.code
        area = resolve_area(config, inputs.master)
        names = [name for chapter in config.chapters for name in chapter.analysis]
        findings = {name: ANALYSES[name](inputs, area) for name in names}
        book = assemble_book(config, area, findings)
        printed = [str(text) for text in book.variables.values()]
        for chapter in book.chapters:
            printed += [block.spec.alt for block in chapter.charts]
            for block in chapter.tables:
                printed += [c for row in table_cells(block.table).rows for c in row]
        text = " ".join(printed)
        assert "nan" not in text, municipality.name
        assert "inf" not in text, municipality.name
