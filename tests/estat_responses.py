"""e-Stat responses for tests, derived from the real getStatsData response.

tests/data/SOURCES.md describes the real file and how each response here is
derived from it. Every derived response keeps the real keys and nesting.
"""

from __future__ import annotations

import copy
import json
from functools import cache

from tests.conftest import TEST_DATA

REAL_FILE = TEST_DATA / "estat" / "getStatsData_0000020202_ssds_B_limit10_KOxon.json"

MESSAGE_NO_DATA = "正常に終了しましたが、該当データはありませんでした。"
MESSAGE_AUTHENTICATION = "認証に失敗しました。アプリケーションIDを確認して下さい。"


@cache
def _real_text() -> str:
    return REAL_FILE.read_text(encoding="utf-8")


def real_document() -> dict:
    """Return a fresh copy of the real response."""
    return json.loads(_real_text())


def real_values() -> list[dict]:
    return real_document()["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"]["VALUE"]


def page_document(
    values: list[dict],
    *,
    start: int,
    total: int,
    next_key: int | None,
    notes: list[dict] | None = None,
) -> dict:
    """Return the real response with its RESULT_INF and VALUE list replaced."""
    document = real_document()
    data = document["GET_STATS_DATA"]["STATISTICAL_DATA"]
    info = {
        "TOTAL_NUMBER": total,
        "FROM_NUMBER": start,
        "TO_NUMBER": start + len(values) - 1,
    }
    if next_key is not None:
        info["NEXT_KEY"] = next_key
    data["RESULT_INF"] = info
    data["DATA_INF"]["VALUE"] = copy.deepcopy(values)
    if notes is not None:
        data["DATA_INF"]["NOTE"] = notes
    return document


def split_pages(sizes: list[int]) -> list[dict]:
    """Split the real file's 10 values into pages of the given sizes."""
    values = real_values()
    assert sum(sizes) == len(values)
    pages, start = [], 1
    for index, size in enumerate(sizes):
        last = index == len(sizes) - 1
        pages.append(
            page_document(
                values[start - 1 : start - 1 + size],
                start=start,
                total=len(values),
                next_key=None if last else start + size,
            )
        )
        start += size
    return pages


def result_document(status: int, message: str) -> dict:
    """Return a response with only RESULT and PARAMETER, as e-Stat sends errors."""
    document = real_document()
    root = document["GET_STATS_DATA"]
    root["RESULT"]["STATUS"] = status
    root["RESULT"]["ERROR_MSG"] = message
    data = root.pop("STATISTICAL_DATA")
    if status == 1:
        root["STATISTICAL_DATA"] = {"RESULT_INF": {"TOTAL_NUMBER": 0}}
        root["STATISTICAL_DATA"]["TABLE_INF"] = data["TABLE_INF"]
    return document


def meta_document() -> dict:
    """Return a getMetaInfo response built from the real TABLE_INF and CLASS_INF."""
    document = real_document()["GET_STATS_DATA"]
    data = document["STATISTICAL_DATA"]
    return {
        "GET_META_INFO": {
            "RESULT": document["RESULT"],
            "PARAMETER": {
                "LANG": "J",
                "STATS_DATA_ID": "0000020202",
                "DATA_FORMAT": "J",
            },
            "METADATA_INF": {
                "TABLE_INF": data["TABLE_INF"],
                "CLASS_INF": data["CLASS_INF"],
            },
        }
    }


def large_page(rows: int = 100_000) -> dict:
    """Return a page of `rows` values built from the real classes' codes."""
    document = real_document()
    data = document["GET_STATS_DATA"]["STATISTICAL_DATA"]
    classes = {obj["@id"]: obj["CLASS"] for obj in data["CLASS_INF"]["CLASS_OBJ"]}
    areas = [item["@code"] for item in classes["area"]]
    times = [item["@code"] for item in classes["time"]]
    items = [(item["@code"], item["@unit"]) for item in classes["cat01"]]
    values = []
    for row in range(rows):
        item, unit = items[row % len(items)]
        values.append(
            {
                "@tab": "00001",
                "@cat01": item,
                "@area": areas[(row // len(items)) % len(areas)],
                "@time": times[(row // (len(items) * len(areas))) % len(times)],
                "@unit": unit,
                "$": str(row),
            }
        )
    data["RESULT_INF"] = {
        "TOTAL_NUMBER": rows,
        "FROM_NUMBER": 1,
        "TO_NUMBER": rows,
    }
    data["DATA_INF"]["VALUE"] = values
    return document
