"""Census population series by municipality, from a JSON list of names.

The file is a list of `{"name": "真鶴町", "population": [{"1970": 10284}, …]}`
objects, one per municipality, ward, 郡 or former town of one prefecture,
without area codes. The loader matches each name to a municipality of the
master list in that prefecture and keeps only those; wards, 郡 and former
towns have no row of their own in the book's rankings. Years listed as
preliminary (速報) become a separate indicator, so that analyses can prefer a
final count from another source.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from databook.errors import InputError
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance, Status
from databook.sources.codes import MunicipalityMaster
from databook.sources.files import file_sha256, json_error_text, read_text

logger = logging.getLogger(__name__)

TOTAL = "A1101"
"""Indicator of a final census count; the same code as SSDSE-A's 総人口."""
PRELIMINARY = "A1101-preliminary"
"""Indicator of a preliminary (速報) census count."""

SURVEY = "総務省「国勢調査」"
LICENCE = "記載なし（数値は総務省「国勢調査」の結果）"
LAYOUT_HINT = "市町村ごとに name と population を持つ JSON のリストを置いてください。"


def load_census_series(
    path: Path,
    *,
    prefecture: str,
    master: MunicipalityMaster,
    preliminary: list[int] | tuple[int, ...] = (),
    display_path: str | None = None,
) -> Dataset:
    """Read a census series file of `prefecture` into a tidy Dataset."""
    shown = display_path or str(path)
    text = read_text(path, encodings=("utf-8-sig",), display_path=shown)
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"JSON として読めません（{json_error_text(error)}）。",
            file=shown,
            place=f"{error.lineno}行目",
            hint="配布元のファイルをそのまま置いてください。",
            detail=f"json: {error}",
        ) from None

    codes = _codes_by_name(master, prefecture, shown)
    source_id = f"census-series/{Path(shown).name}"
    rows = []
    skipped = []
    for index, record in enumerate(_records(records, shown)):
        name = record["name"].strip()
        code = codes.get(name)
        if code is None:
            skipped.append(name)
            continue
        for year, value in _counts(record, index, shown):
            indicator = PRELIMINARY if int(year) in preliminary else TOTAL
            rows.append(
                {
                    "indicator": indicator,
                    "area_code": code,
                    "area_name": name,
                    "period": year,
                    "period_kind": PeriodKind.CENSUS.value,
                    "value": float("nan") if value is None else float(value),
                    "unit": "人",
                    "status": Status.NOT_APPLICABLE.value if value is None else "",
                    "source_id": source_id,
                }
            )

    missing = sorted(set(codes) - {row["area_name"] for row in rows})
    if missing:
        raise InputError(
            f"{prefecture}の市町村 {'、'.join(missing)} がファイルにありません。",
            file=shown,
            hint=f"設定 prefecture（{prefecture}）とファイルが合っているか"
            "確認してください。",
        )
    frame = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    years = sorted(set(frame["period"]))
    provenance = Provenance(
        id=source_id,
        source=f"国勢調査の結果をまとめた{prefecture}の市町村別人口の時系列"
        f"（{Path(shown).name}、作成者の記載なし）",
        survey=SURVEY,
        table=f"{prefecture} 市町村別人口（国勢調査）{years[0]}～{years[-1]}年",
        file=shown,
        sha256=file_sha256(path),
        licence=LICENCE,
        reference="、".join(years),
    )
    logger.info(
        "読み込み: %s（国勢調査 %s～%s年、%d 市町村、対象外の名前 %d 件）",
        shown,
        years[0],
        years[-1],
        frame["area_code"].nunique(),
        len(skipped),
    )
    labels = {TOTAL: "総人口", PRELIMINARY: "総人口（速報値）"}
    return Dataset(frame, {source_id: provenance}, labels)


def _codes_by_name(
    master: MunicipalityMaster, prefecture: str, shown: str
) -> dict[str, str]:
    codes = {
        m.name: m.code
        for m in master.municipalities
        if m.prefecture == prefecture and not m.is_ward
    }
    if not codes:
        raise InputError(
            f"都道府県 {prefecture!r} の市町村が団体コード一覧にありません。",
            file=shown,
            place="設定 prefecture",
            hint="都道府県名を「神奈川県」のように「県」「府」「都」「道」まで書いてください。",
        )
    return codes


def _records(records, shown: str) -> list[dict]:
    if not isinstance(records, list):
        raise InputError(
            "ファイルの中身が市町村のリスト（[ … ]）ではありません。",
            file=shown,
            hint=LAYOUT_HINT,
        )
    for index, record in enumerate(records):
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("name"), str)
            or not isinstance(record.get("population"), list)
        ):
            raise InputError(
                f"{index + 1}番目の要素に name（文字列）か population（リスト）が"
                "ありません。",
                file=shown,
                place=f"{index + 1}番目の要素",
                hint=LAYOUT_HINT,
            )
    return records


def _counts(record: dict, index: int, shown: str) -> list[tuple[str, int | None]]:
    counts = []
    for entry in record["population"]:
        items = list(entry.items()) if isinstance(entry, dict) else []
        valid = len(items) == 1 and items[0][0].isdigit() and len(items[0][0]) == 4
        value = items[0][1] if valid else None
        if not valid or not (value is None or isinstance(value, int)):
            raise InputError(
                f"{record['name']} の population に読めない値 {entry!r} があります。",
                file=shown,
                place=f"{index + 1}番目の要素（{record['name']}）",
                hint='年と人数を {"2015": 7333} の形で書いてください。',
            )
        counts.append((items[0][0], value))
    return counts
