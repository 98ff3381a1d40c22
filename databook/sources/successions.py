"""Area codes that changed when a municipality changed its status.

A town that becomes a city gets a new area code (那珂川町 40305 became 那珂川市
40231 on 2018-10-01). Older editions of a dataset list it under the old code,
so a book for the city would lose those years. The loaders rename the old
code to the new one, keeping the values as published.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Succession:
    """One code change: the same municipality under an old and a new code."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    date: str
    """Day the new code took effect (ISO date)."""


# Code changes between the SSDSE-A editions that databook reads: the 2019
# edition lists 40305 那珂川町, the 2020 edition 40231 那珂川市.
# NOTE: mergers, which join several areas into one, are not followed.
SUCCESSIONS = (Succession("40305", "那珂川町", "40231", "那珂川市", "2018-10-01"),)


def follow_successions(frame: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Return `frame` with each old area code and name replaced by the current one."""
    renamed = frame
    for succession in SUCCESSIONS:
        rows = renamed["area_code"] == succession.old_code
        if not rows.any():
            continue
        renamed = renamed.copy()
        renamed.loc[rows, "area_code"] = succession.new_code
        renamed.loc[rows, "area_name"] = succession.new_name
        logger.debug(
            "%s: %s（%s）の値を%s（%s、%sから）として読みました。",
            source,
            succession.old_name,
            succession.old_code,
            succession.new_name,
            succession.new_code,
            succession.date,
        )
    return renamed
