"""Published findings: facts a town or the press printed, quoted with their page.

When no table is at hand (a town's lodging guests, a rank of output, a
comparison with the prefectural average), a chapter can still quote what was
published, as long as it names where. A findings CSV contains one fact a row:
year (or census_year), area_code, name, indicator, source_url, and either a
value with its unit (and an optional scope such as 神奈川県内33市町村中) or a
comparison with its result (below_prefecture_average).

The Dataset keeps the tidy columns plus `statement` (the fact as printed, in
Japanese) and `url`; a comparison has no value, so its value is NaN with the
status `not_applicable`.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from databook.errors import InputError
from databook.formatting import format_number
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance, Status
from databook.sources.files import file_sha256, read_text

logger = logging.getLogger(__name__)

REQUIRED = ("area_code", "name", "indicator", "source_url")
YEAR_COLUMNS = ("year", "census_year")
RESULTS = {
    "below_prefecture_average": "都道府県平均を下回る",
    "above_prefecture_average": "都道府県平均を上回る",
    "below_national_average": "全国平均を下回る",
    "above_national_average": "全国平均を上回る",
}

QUOTED_LICENCE = "引用"
"""Licence of a finding's source: the page is quoted, not reused as data."""


def load_findings(path: Path, *, display_path: str) -> Dataset:
    """Read a findings CSV into a Dataset with a `statement` and `url` per row."""
    text = read_text(path, encodings=("utf-8-sig",), display_path=display_path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    year_column = next((c for c in YEAR_COLUMNS if c in fields), None)
    missing = [c for c in REQUIRED if c not in fields]
    if year_column is None:
        missing.insert(0, "year")
    if missing:
        raise InputError(
            f"調査結果の CSV に必要な列 {', '.join(missing)} がありません"
            f"（見つかった列: {', '.join(fields)}）。",
            file=display_path,
            place="1行目（見出し）",
            hint="year, area_code, name, indicator, value, unit, source_url の"
            "列を持つ CSV にしてください（README の説明を参照）。",
        )

    sha256 = file_sha256(path)
    rows = []
    provenance: dict[str, Provenance] = {}
    for line_number, record in enumerate(reader, start=2):
        rows.append(_row(record, year_column, line_number, display_path))
        url = rows[-1]["url"]
        provenance.setdefault(
            rows[-1]["source_id"],
            Provenance(
                id=rows[-1]["source_id"],
                source=f"{urlparse(url).netloc} 掲載の記事",
                survey=None,
                table=f"公表された調査結果（{url}）",
                file=display_path,
                sha256=sha256,
                licence=QUOTED_LICENCE,
                url=url,
            ),
        )

    frame = pd.DataFrame(rows, columns=[*TIDY_COLUMNS, "statement", "url"])
    labels = {row["indicator"]: row["indicator"] for row in rows}
    logger.info("読み込み: %s（公表された調査結果 %d 件）", display_path, len(frame))
    return Dataset(frame, provenance, labels)


def _row(record: dict, year_column: str, line_number: int, display_path: str) -> dict:
    year = (record[year_column] or "").strip()
    code = (record["area_code"] or "").strip()
    url = (record["source_url"] or "").strip()
    if not (year.isdigit() and len(year) == 4):
        raise _error(
            f"年 {year!r} が4桁の年ではありません。", line_number, display_path
        )
    if not (code.isdigit() and len(code) == 5):
        raise _error(
            f"地域コード {code!r} が5桁ではありません。", line_number, display_path
        )
    if not url.startswith(("http://", "https://")):
        raise _error(
            f"掲載ページ {url!r} が URL ではありません。", line_number, display_path
        )

    unit = (record.get("unit") or "").strip()
    value_text = (record.get("value") or "").strip()
    if value_text:
        try:
            value = float(value_text.replace(",", ""))
        except ValueError:
            raise _error(
                f"値 {value_text!r} が数値ではありません。", line_number, display_path
            ) from None
        scope = (record.get("scope") or "").strip()
        digits = len(value_text.partition(".")[2])
        statement = f"{scope}{format_number(value, digits)}{unit}"
        status = ""
    else:
        result = (record.get("result") or "").strip()
        if not result:
            raise _error("value も result もありません。", line_number, display_path)
        value = float("nan")
        statement = _comparison(result, (record.get("comparison") or "").strip())
        status = Status.NOT_APPLICABLE.value

    return {
        "indicator": (record["indicator"] or "").strip(),
        "area_code": code,
        "area_name": (record["name"] or "").strip(),
        "period": year,
        "period_kind": PeriodKind.YEAR.value,
        "value": value,
        "unit": unit,
        "status": status,
        # Several findings files may cite one page, and the book lists each
        # file, so the id names both.
        "source_id": f"{display_path} {url}",
        "statement": statement,
        "url": url,
    }


def _comparison(result: str, comparison: str) -> str:
    """Word a comparison: 神奈川県平均との比較 and below_… give 神奈川県平均を下回る."""
    target = comparison.removesuffix("との比較")
    if target and result.startswith(("below_", "above_")):
        verb = "下回る" if result.startswith("below_") else "上回る"
        return f"{target}を{verb}"
    return RESULTS.get(result, result)


def _error(message: str, line_number: int, display_path: str) -> InputError:
    return InputError(
        message,
        file=display_path,
        place=f"{line_number}行目",
        hint="掲載ページの記載と見比べて直してください。",
    )
