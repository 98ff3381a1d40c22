"""Ranks of a municipality among its prefecture's municipalities."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Rank:
    """A rank and how many areas were ranked."""

    position: int
    count: int


def rank_of(
    values: pd.Series, area_code: str, *, descending: bool = True
) -> Rank | None:
    """Rank `area_code` among the areas in `values` (indexed by area code).

    Areas without a value are left out of the count, not ranked last. Ties
    share the best position (competition ranking: 1, 2, 2, 4). Returns None
    when the area itself has no value.
    """
    present = values.dropna()
    if area_code not in present.index:
        return None
    ranks = present.rank(method="min", ascending=not descending)
    return Rank(position=int(ranks[area_code]), count=len(present))


def ranks_of_all(values: pd.Series, *, descending: bool = True) -> pd.Series:
    """Return the competition rank of every area with a value."""
    present = values.dropna()
    return present.rank(method="min", ascending=not descending).astype(int)
