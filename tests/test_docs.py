"""The README documents every setting and every name a chapter can use."""

import re
import typing

import pydantic
import pytest

from databook.analysis.common import Area
from databook.build import ANALYSES
from databook.config import DATASET_MODELS, Config
from databook.inputs import Inputs
from databook.sources.census_series import load_census_series
from databook.sources.codes import load_master
from databook.sources.juki import load_juki
from databook.sources.ssdse import load_ssdse
from tests.conftest import RAW, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def setting_names(model: type[pydantic.BaseModel]) -> set[str]:
    names = set()
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        names.add(name)
        for argument in typing.get_args(field.annotation) or (field.annotation,):
            if isinstance(argument, type) and issubclass(argument, pydantic.BaseModel):
                names |= setting_names(argument)
    return names


def test_every_setting_documented():
    names = setting_names(Config)
    for model in DATASET_MODELS.values():
        names |= setting_names(model)
    undocumented = sorted(n for n in names if not re.search(rf"[`.]{n}`", README))
    assert not undocumented


def test_every_dataset_kind_documented():
    for kind in DATASET_MODELS:
        assert f"`{kind}`" in README


@pytest.fixture(scope="module")
def findings():
    dataset = load_ssdse(sorted((RAW / "ssdse").glob("*.csv")))
    master = load_master(RAW / "codes" / "localgovjp-utf8.csv")
    series = load_census_series(
        RAW / "census" / "kanagawa_census_pop_1970_2020_unibon4141.json",
        prefecture="神奈川県",
        master=master,
        preliminary=[2020],
    )
    juki, _ = load_juki(sorted((RAW / "juki").glob("*.csv")))
    inputs = Inputs(master, {"ssdse-a": dataset, "census-series": series, "juki": juki})
    area = Area("14383", "真鶴町", "神奈川県")
    return [analyse(inputs, area) for analyse in ANALYSES.values()]


def test_every_chapter_name_documented(findings):
    names = set()
    for finding in findings:
        assert f"`{finding.name}`" in README
        names |= {f"{finding.name}.{key}" for key in finding.figures}
        names |= set(finding.charts) | set(finding.tables)
        # Names the sample town has no data for, such as tourism_seasonality.
        names |= finding.absent
    undocumented = sorted(n for n in names if f"`{n}`" not in README)
    assert not undocumented
