"""Following area codes that changed, on the real SSDSE-A files.

SSDSE-A-2018 and 2019 list 那珂川町 as R40305 (line 1499); from the 2020
edition the same line is R40231 那珂川市 (市制施行 on 1 October 2018).
"""

import pytest

from databook.analysis.codes import current_codes
from databook.sources.ssdse import load_ssdse
from tests.conftest import RAW


@pytest.fixture(scope="module")
def dataset():
    return load_ssdse(sorted((RAW / "ssdse").glob("*.csv")), items=["A1101"])


def census_codes(frame, period):
    rows = frame[(frame["indicator"] == "A1101") & (frame["period"] == period)]
    return rows[rows["area_code"].str.startswith("40")]["area_code"]


def test_old_code_counted_twice_before(dataset):
    # The 2015 census is in the editions 2018–2021: under R40305 in 2018–2019
    # and under R40231 in 2020–2021, so the raw series has both codes.
    codes = census_codes(dataset.frame, "2015")
    assert len(codes) == 61


def test_current_codes_merge_old_code(dataset):
    frame = current_codes(dataset).frame
    codes = census_codes(frame, "2015")
    assert len(codes) == 60
    assert "40305" not in set(frame["area_code"])
    row = frame[(frame["area_code"] == "40231") & (frame["period"] == "2015")]
    # Column D of line 1499 is 50,004 in every edition 2018–2021.
    assert row["value"].tolist() == [50004]
    assert row["area_name"].tolist() == ["那珂川市"]


def test_current_codes_keeps_other_areas(dataset):
    frame = current_codes(dataset).frame
    assert len(frame) == len(dataset.frame) - 1
