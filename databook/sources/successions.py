"""Area codes that changed when a municipality changed its status.

A town that becomes a city gets a new area code (那珂川町 40305 became 那珂川市
40231 on 2018-10-01). The 住基 tables before 2019 list it under the old code,
so the 住基 loader renames the old code to the new one, keeping the values as
published. SSDSE-A rows are followed at analysis time by
databook.analysis.codes.current_codes instead.
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


# The 住基 table of 2018-01-01 lists 403059 那珂川町, that of 2019-01-01
# 402311 那珂川市.
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
