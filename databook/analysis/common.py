"""Helpers shared by the analyses: picking values and writing chart rows."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from databook.model import Dataset, Provenance, credit_text
from databook.sources.codes import peer_word


@dataclass(frozen=True)
class Area:
    """The book's municipality and the prefecture it is ranked in."""

    code: str
    name: str
    prefecture: str
    designated_cities: bool = True
    """True when a 政令指定都市 of the prefecture is ranked as one whole city."""

    @property
    def prefecture_code(self) -> str:
        return self.code[:2]

    @property
    def peers(self) -> str:
        """Return the word for the municipalities that the area is ranked among."""
        return peer_word(self.code)

    def rank_note(self, count: int | None = None) -> str:
        """Return the method note on how ranks among the peers are counted."""
        number = "" if count is None else str(count)
        whole = "（政令指定都市は市全体）" if self.designated_cities else ""
        return (
            f"順位は{self.prefecture}の{number}{self.peers}{whole}の中で、"
            "値の大きい順に数えたものです。同じ値は同じ順位とし、"
            f"値のない{self.peers}は数えていません。"
        )


# The item number that starts a label of a statistical table (1. or (1)) and
# the sum that ends it ((1+2+3), (4+5-6)), after NFKC.
ITEM_NUMBER = re.compile(r"^(?:\d+\.|\(\d+\))")
ITEM_FORMULA = re.compile(r"\([0-9+\-]+\)$")


def item_key(label: str) -> str:
    """Return a table label in NFKC without spaces, item number and formula.

    Workbooks number their items and spell out the sums, differently from
    table to table: ４.市民所得（要素費用表示）（１＋２＋３） is 市民所得(要素費用表示).
    """
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", label))
    return ITEM_FORMULA.sub("", ITEM_NUMBER.sub("", text))


def item_rows(frame: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """Return the rows whose indicator has one of `names` as its `item_key`.

    The matched name is added as column `item`.
    """
    keys = {label: item_key(label) for label in frame["indicator"].unique()}
    items = frame["indicator"].map(keys)
    matched = items.isin(list(names))
    return frame[matched].assign(item=items[matched])


def indicator_rows(dataset: Dataset, indicator: str, area_code: str) -> pd.DataFrame:
    """Return one area's rows of an indicator, indexed by period."""
    frame = dataset.frame
    rows = frame[(frame["indicator"] == indicator) & (frame["area_code"] == area_code)]
    return rows.set_index("period").sort_index()


def prefecture_values(
    dataset: Dataset, indicator: str, period: str, prefecture_code: str
) -> pd.Series:
    """Return an indicator's values for every municipality of a prefecture."""
    frame = dataset.frame
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["period"] == period)
        & frame["area_code"].str.startswith(prefecture_code)
    ]
    return rows.set_index("area_code")["value"]


def area_names(dataset: Dataset, prefecture_code: str) -> dict[str, str]:
    frame = dataset.frame
    rows = frame[frame["area_code"].str.startswith(prefecture_code)]
    return dict(zip(rows["area_code"], rows["area_name"], strict=True))


def credits(sources: list[Provenance] | tuple[Provenance, ...]) -> str:
    """Return one 出典 text for several sources."""
    return credit_text(sources)


def chart_row(
    *,
    x: str,
    series: str,
    value: float,
    indicator: str,
    indicator_name: str,
    area_code: str,
    area_name: str,
    period: str,
    unit: str,
    status: str,
    source: str,
) -> dict:
    """Return one drawn value with the tidy columns behind it."""
    return {
        "x": x,
        "series": series,
        "value": value,
        "indicator": indicator,
        "indicator_name": indicator_name,
        "area_code": area_code,
        "area_name": area_name,
        "period": period,
        "unit": unit,
        "status": status,
        "source": source,
    }


def ranking_rows(
    values: pd.Series,
    names: dict[str, str],
    *,
    series: str,
    indicator: str,
    indicator_name: str,
    period: str,
    unit: str,
    sources,
) -> list[dict]:
    """Return chart rows of every area's value, largest first, for a ranking bar."""
    ordered = values.dropna().sort_values(ascending=False)
    return [
        chart_row(
            x=names[code],
            series=series,
            value=value,
            indicator=indicator,
            indicator_name=indicator_name,
            area_code=code,
            area_name=names[code],
            period=period,
            unit=unit,
            status="",
            source=credits(sources),
        )
        for code, value in ordered.items()
    ]
