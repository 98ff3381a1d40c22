"""Area codes that changed between editions, followed to the current code.

When a town becomes a city its area code changes, and sources published before
the change carry the old code. Without following the change the municipality
would look like two: the old code ends, the new one starts, and a prefecture
would count one municipality too many in a year present under both codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from databook.model import Dataset


@dataclass(frozen=True)
class CodeChange:
    """One area code replaced by another on a date."""

    old: str
    new: str
    date: str
    """Day the new code took effect, e.g. 2018-10-01."""
    reason: str
    """What happened, as 総務省 lists it, e.g. 市制施行."""


# NOTE: Only the changes that occur within SSDSE-A 2018–2026 are listed; a
# source reaching further back needs the earlier changes added here.
CODE_CHANGES = (
    CodeChange("40305", "40231", "2018-10-01", "市制施行（那珂川町→那珂川市）"),
)


def current_codes(
    dataset: Dataset, changes: tuple[CodeChange, ...] = CODE_CHANGES
) -> Dataset:
    """Return the dataset with old area codes replaced by the current ones.

    Rows under an old code take the current code and the current name. Where
    a period has rows under both codes (a census year that editions before and
    after the change both carry), the row under the current code is kept.
    """
    for source, source_changes, result in _followed:
        if source is dataset and source_changes == changes:
            return result
    result = _follow_changes(dataset, changes)
    # Several analyses of one build follow the same loaded dataset; keeping the
    # last results saves repeating the whole-table work for each of them.
    _followed.insert(0, (dataset, changes, result))
    del _followed[_FOLLOWED_KEPT:]
    return result


_FOLLOWED_KEPT = 2
_followed: list[tuple[Dataset, tuple[CodeChange, ...], Dataset]] = []
"""Recent (dataset, changes, result) of current_codes, newest first."""


def _follow_changes(dataset: Dataset, changes: tuple[CodeChange, ...]) -> Dataset:
    frame = dataset.frame
    mapping = {change.old: change.new for change in changes}
    renamed = frame["area_code"].isin(list(mapping))
    if not renamed.any():
        return dataset

    current_names = (
        frame[frame["area_code"].isin(list(mapping.values()))]
        .drop_duplicates("area_code", keep="last")
        .set_index("area_code")["area_name"]
    )
    frame = frame.copy()
    frame["_renamed"] = renamed
    frame.loc[renamed, "area_code"] = frame.loc[renamed, "area_code"].map(mapping)
    frame.loc[renamed, "area_name"] = (
        frame.loc[renamed, "area_code"]
        .map(current_names)
        .fillna(frame.loc[renamed, "area_name"])
    )
    frame = frame.sort_values("_renamed", kind="stable").drop_duplicates(
        subset=["indicator", "area_code", "period"], keep="first"
    )
    frame = frame.drop(columns="_renamed").sort_values(
        ["indicator", "area_code", "period"]
    )
    return Dataset(frame.reset_index(drop=True), dataset.provenance, dataset.labels)


def code_change_note(changes: tuple[CodeChange, ...] = CODE_CHANGES) -> str:
    """Return the method note that lists the followed code changes."""
    parts = [
        f"{change.old}→{change.new}（{change.date}、{change.reason}）"
        for change in changes
    ]
    return (
        "地域コードが変わった市町村は、古いコードの数値を新しいコードの市町村の"
        f"ものとして続けています: {'、'.join(parts)}。"
    )


def used_changes(dataset: Dataset, prefecture_code: str) -> tuple[CodeChange, ...]:
    """Return the changes in a prefecture whose old code appears in the dataset."""
    codes = set(pd.unique(dataset.frame["area_code"]))
    return tuple(
        change
        for change in CODE_CHANGES
        if change.old in codes and change.old.startswith(prefecture_code)
    )
