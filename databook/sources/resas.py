"""RESAS (地域経済分析システム) data kept as archived API responses or CSV downloads.

The RESAS API stopped on 2025-03-24, so databook never calls it. Offices still
hold the JSON responses they fetched before then, and the RESAS site still
offers the data behind each graph as a CSV download. This module reads both.

An API response is `{"message": null, "result": ...}`. The API reported most
errors with HTTP 200 and a body that is only the status code (`"400"`,
`"404"`) or `{"statusCode": "403", "message": "Forbidden.", ...}`, and a 429
came back as `{"message": null}` without `result`. Such a file is an error
saved by mistake, never data, and is rejected with the status it carries.

`population/composition/perYear` mixes census counts up to `boundaryYear`
with 国立社会保障・人口問題研究所 projections after it. The two are kept as
separate indicators (`…_projection`) with separate sources, so a chart can
draw projections dashed and a text never calls a projection a count.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from databook.errors import ConfigError, InputError
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance, Status
from databook.sources.codes import normalize_area_code
from databook.sources.files import decode, file_sha256, json_error_text, read_bytes

logger = logging.getLogger(__name__)

SOURCE = "RESAS（地域経済分析システム）"
CREDIT = f"出典：{SOURCE}"
"""Credit line for figures shown as RESAS published them (RESAS terms of use)."""
PROCESSED_SOURCE = f"{SOURCE}を加工して作成"
"""Credit for figures the book computes from RESAS figures (RESAS terms of use)."""
LICENCE = "RESAS 利用規約（出典を明記すれば加工・再配布可）"
URL = "https://resas.go.jp/"
API_END = "2025年3月24日"

ERROR_MEANINGS = {
    "400": "リクエストのパラメータが正しくない",
    "403": "API キーが無効か、利用が許可されていない",
    "404": "指定した API やデータがない",
    "429": "短い時間にリクエストが多すぎた",
}

POPULATION_ENDPOINT = "population/composition/perYear"
POPULATION_LABELS = {
    "総人口": "total",
    "年少人口": "age0_14",
    "生産年齢人口": "age15_64",
    "老年人口": "age65_over",
}
PROJECTION_SUFFIX = "_projection"
FISHERY_PREFIX = "fishery/sea/"
TOURISM_PREFIX = "tourism/"

# `matter` of the fishery/sea endpoints: which area the figures describe.
FISHERY_MATTERS = {
    1: ("", "指定地域"),
    2: ("_pref_average", "都道府県内平均"),
    3: ("_national_average", "全国平均"),
}

# The e-Stat tables (or other official tables) that carry the statistics of
# each RESAS endpoint group, named by `fetch_message`.
SUCCESSORS = {
    POPULATION_ENDPOINT: (
        "実績値は e-Stat の「国勢調査」（人口等基本集計）、推計値は"
        "国立社会保障・人口問題研究所「日本の地域別将来推計人口」にあります。"
        "総人口と年齢3区分別人口は SSDSE-A（kind: ssdse-a）でも読めます。"
    ),
    FISHERY_PREFIX: (
        "e-Stat の「漁業センサス」第3巻 海面漁業に関する統計（市区町村編）に"
        "あります。表をダウンロードして kind: table で読み込めます。"
    ),
    TOURISM_PREFIX: (
        "宿泊の統計は e-Stat の観光庁「宿泊旅行統計調査」にあります"
        "（都道府県別）。市町村別の入込客数は都道府県の入込観光客調査を"
        "kind: table で読み込めます。"
    ),
}


@dataclass(frozen=True)
class ResasRequest:
    """Request behind an archived response: its endpoint and the area it covers."""

    endpoint: str
    """API path after api/v1/, e.g. population/composition/perYear."""
    area_code: str
    """Five-digit area code; a prefecture is its code and 000 (14000)."""
    area_name: str
    matter: int = 1
    """`matter` of the fishery/sea endpoints (1 area, 2 prefectural, 3 national)."""
    unit: str = ""
    """Unit of the values; RESAS responses do not carry one."""


def fetch_message(endpoint: str | None = None) -> str:
    """Return the Japanese message that RESAS can no longer be fetched.

    The message names where the same statistics are published now, when
    `endpoint` belongs to a group that has a successor.
    """
    text = (
        f"RESAS の API は{API_END}に提供を終了したため、RESAS のデータは"
        "取得できません。保存してある API の応答（JSON）か、RESAS の"
        "サイトからダウンロードした CSV を file: に指定すれば読み込めます。"
    )
    for prefix, successor in SUCCESSORS.items():
        if endpoint and endpoint.strip("/").startswith(prefix):
            return f"{text}同じ統計は、{successor}"
    return text


def processed(provenance: Provenance) -> Provenance:
    """Return the provenance to cite for figures computed from RESAS figures."""
    return replace(provenance, source=PROCESSED_SOURCE)


# --- archived API responses -------------------------------------------------


def read_response(data: bytes, *, display_path: str) -> Any:
    """Decode an archived response and return its `result`, rejecting errors."""
    text, _ = decode(data, encodings=("utf-8-sig",), display_path=display_path)
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"JSON として読めません（{json_error_text(error)}）。",
            file=display_path,
            place=f"{error.lineno}行目、{error.colno}文字目",
            hint="RESAS API の応答を保存したファイルをそのまま置いてください。",
            detail=f"json: {error}",
        ) from None

    status = _error_status(body)
    if status is not None:
        meaning = ERROR_MEANINGS.get(status, "RESAS がエラーを返した")
        raise InputError(
            f"このファイルは RESAS API のエラー応答（ステータス {status}: "
            f"{meaning}）で、データではありません。",
            file=display_path,
            hint='データを取得できたときの応答（"result" を含むもの）を'
            f"置いてください。API は{API_END}に終了したため再取得はできません。",
        )
    return body["result"]


def _error_status(body: Any) -> str | None:
    """Return the status code of an error body, or None for a success envelope."""
    if isinstance(body, str | int):
        return str(body)
    if not isinstance(body, dict):
        return "不明"
    if "statusCode" in body:
        return str(body["statusCode"])
    if body.get("result") is None:
        # A 429 came back as {"message": null}; anything else without a
        # result is no data either.
        return "429" if set(body) == {"message"} else "不明"
    return None


def parse_prefectures(result: Any, *, display_path: str) -> dict[str, str]:
    """Return the prefecture names of a `prefectures` result by two-digit code.

    The API gives prefCode as an integer (1 for 北海道), not as text.
    """
    if not isinstance(result, list):
        raise _layout_error(display_path, "result が都道府県の一覧ではありません")
    names = {}
    for index, entry in enumerate(result):
        code = entry.get("prefCode") if isinstance(entry, dict) else None
        if isinstance(code, bool) or not isinstance(code, int) or not 1 <= code <= 47:
            raise _layout_error(
                display_path,
                f"{index + 1}件目の prefCode {code!r} が1～47の整数ではありません",
            )
        names[f"{code:02d}"] = entry.get("prefName", "")
    return names


def parse_population(
    result: Any, request: ResasRequest, *, display_path: str
) -> pd.DataFrame:
    """Turn a population/composition/perYear result into tidy rows.

    Years up to `boundaryYear` are census counts; later years are
    projections and get the `_projection` indicators.
    """
    if not isinstance(result, dict) or "boundaryYear" not in result:
        raise _layout_error(display_path, "result に boundaryYear がありません")
    boundary = int(result["boundaryYear"])

    rows = []
    for series in result.get("data", []):
        label = series.get("label")
        code = POPULATION_LABELS.get(label)
        if code is None:
            raise _layout_error(
                display_path,
                f"系列名 {label!r} は人口構成の系列（"
                f"{'・'.join(POPULATION_LABELS)}）ではありません",
            )
        for point in series.get("data", []):
            year = int(point["year"])
            projected = year > boundary
            suffix = PROJECTION_SUFFIX if projected else ""
            kind = PeriodKind.YEAR if projected else PeriodKind.CENSUS
            part = "projection" if projected else "census"
            source_id = f"resas/{Path(display_path).name}/{part}"
            rows.append(
                _row(
                    f"population_{code}{suffix}",
                    request,
                    str(year),
                    kind,
                    point.get("value"),
                    "人",
                    source_id,
                )
            )
            if "rate" in point:
                rows.append(
                    _row(
                        f"population_{code}_rate{suffix}",
                        request,
                        str(year),
                        kind,
                        point.get("rate"),
                        "%",
                        source_id,
                    )
                )
    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


def population_labels() -> dict[str, str]:
    """Return the Japanese name of each population indicator."""
    labels = {}
    for label, code in POPULATION_LABELS.items():
        labels[f"population_{code}"] = label
        labels[f"population_{code}{PROJECTION_SUFFIX}"] = f"{label}（推計）"
        labels[f"population_{code}_rate"] = f"{label}の割合"
        labels[f"population_{code}_rate{PROJECTION_SUFFIX}"] = f"{label}の割合（推計）"
    return labels


def parse_series(
    result: Any, request: ResasRequest, *, display_path: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Turn a fishery/sea or tourism result into tidy rows, one indicator per series.

    NOTE: no fishery/sea or tourism response was saved publicly, so this reads
    any list of objects with `year` and `value` under `result`, naming each
    series by the endpoint and the nearest `label`, `name` or `matter` above it.
    """
    base = request.endpoint.strip("/").replace("/", "_")
    suffix, matter_name = ("", "")
    if request.endpoint.startswith(FISHERY_PREFIX):
        suffix, matter_name = FISHERY_MATTERS[request.matter]

    rows = []
    labels: dict[str, str] = {}
    for names, points in _year_series(result, ()):
        indicator = "_".join([base, *names]) + suffix
        labels[indicator] = " ".join(
            [request.endpoint, *names, *([matter_name] if matter_name else [])]
        )
        for point in points:
            year = _year_text(point["year"])
            rows.append(
                _row(
                    indicator,
                    request,
                    year,
                    PeriodKind.YEAR,
                    point["value"],
                    request.unit,
                    f"resas/{Path(display_path).name}",
                )
            )
    if not rows:
        raise _layout_error(
            display_path, "result に year と value の組が1つもありません"
        )
    return pd.DataFrame(rows, columns=TIDY_COLUMNS), labels


def _year_series(node: Any, names: tuple[str, ...]) -> Iterator[tuple[tuple, list]]:
    if isinstance(node, list):
        points = [
            p for p in node if isinstance(p, dict) and {"year", "value"} <= set(p)
        ]
        if points and len(points) == len(node):
            yield names, points
            return
        for item in node:
            yield from _year_series(item, names)
    elif isinstance(node, dict):
        name = node.get("label") or node.get("name")
        here = (*names, str(name)) if isinstance(name, str) and name else names
        for value in node.values():
            if isinstance(value, list | dict):
                yield from _year_series(value, here)


def _year_text(year: Any) -> str:
    text = str(year).strip()
    match = re.fullmatch(r"(\d{4})(?:年)?", text)
    return match.group(1) if match else text


def _row(indicator, request, period, kind, value, unit, source_id) -> dict:
    number = _number(value)
    return {
        "indicator": indicator,
        "area_code": request.area_code,
        "area_name": request.area_name,
        "period": period,
        "period_kind": kind.value,
        "value": number,
        "unit": unit,
        "status": Status.NOT_SURVEYED.value if pd.isna(number) else "",
        "source_id": source_id,
    }


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return float("nan")
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return float("nan")


def _layout_error(display_path: str, detail: str) -> InputError:
    return InputError(
        f"RESAS API の応答の形になっていません（{detail}）。",
        file=display_path,
        hint="endpoint の設定がファイルの中身（保存した API）と合っているか"
        "確認してください。",
    )


def load_response(path: Path, request: ResasRequest, *, display_path: str) -> Dataset:
    """Read one archived API response into a Dataset."""
    result = read_response(
        read_bytes(path, display_path=display_path), display_path=display_path
    )
    endpoint = request.endpoint.strip("/")
    sha256 = file_sha256(path)

    if endpoint == POPULATION_ENDPOINT:
        frame = parse_population(result, request, display_path=display_path)
        labels = {
            k: v for k, v in population_labels().items() if k in set(frame["indicator"])
        }
        provenance = _population_provenance(frame, display_path, sha256)
    elif endpoint.startswith((FISHERY_PREFIX, TOURISM_PREFIX)):
        frame, labels = parse_series(result, request, display_path=display_path)
        source_id = frame["source_id"].iloc[0]
        provenance = {
            source_id: _provenance(
                source_id,
                f"RESAS API {endpoint}",
                display_path,
                sha256,
                _years(frame),
            )
        }
    else:
        raise InputError(
            f"RESAS API {endpoint} の応答には対応していません。",
            file=display_path,
            place="設定 endpoint",
            hint=f"endpoint には {POPULATION_ENDPOINT}、{FISHERY_PREFIX}…、"
            f"{TOURISM_PREFIX}… のいずれかを書いてください。ほかの表は RESAS の"
            "サイトの CSV を置くか、kind: table で読み込めます。",
        )

    logger.info(
        "読み込み: %s（RESAS API %s、%s、%d 行）",
        display_path,
        endpoint,
        request.area_name,
        len(frame),
    )
    return Dataset(frame, provenance, labels)


def _population_provenance(
    frame: pd.DataFrame, display_path: str, sha256: str
) -> dict[str, Provenance]:
    name = Path(display_path).name
    tables = {
        f"resas/{name}/census": "人口構成（実績値: 総務省「国勢調査」）",
        f"resas/{name}/projection": "人口構成（推計値: 国立社会保障・人口問題研究所"
        "「日本の地域別将来推計人口」）",
    }
    provenance = {}
    for source_id, table in tables.items():
        part = frame[frame["source_id"] == source_id]
        if not part.empty:
            provenance[source_id] = _provenance(
                source_id, table, display_path, sha256, _years(part)
            )
    return provenance


def _years(frame: pd.DataFrame) -> str:
    return "、".join(sorted(set(frame["period"])))


def _provenance(
    source_id: str, table: str, display_path: str, sha256: str, reference: str
) -> Provenance:
    # The survey is left out so that credit() prints the line the RESAS terms
    # ask for; the primary survey is named in the table title instead.
    return Provenance(
        id=source_id,
        source=SOURCE,
        survey=None,
        table=table,
        file=display_path,
        sha256=sha256,
        licence=LICENCE,
        reference=reference,
        url=URL,
    )


# --- CSV downloads from the RESAS site --------------------------------------

# NOTE: no CSV downloaded from the RESAS site is at hand, so this layout is
# inferred from how the site labels its graphs: a header row with the year
# (集計年 or 年), 都道府県コード, 都道府県名, 市区町村コード, 市区町村名, then
# one column per measure, whose unit may follow in brackets: 総人口（人）.
YEAR_HEADERS = ("集計年", "年")
KEY_HEADERS = ("都道府県コード", "都道府県名", "市区町村コード", "市区町村名")
HEADER_SEARCH_ROWS = 10
MISSING_CELLS = {
    "-": Status.NOT_SURVEYED,
    "－": Status.NOT_SURVEYED,
    "": Status.NOT_SURVEYED,
}
UNIT_PATTERN = re.compile(r"^(.*?)[（(【\[]([^）)】\]]+)[）)】\]]\s*$")


@dataclass(frozen=True)
class CsvLayout:
    header_row: int
    """0-based index of the header row."""
    year_column: int
    key_columns: dict[str, int]
    measures: list[tuple[int, str, str]]
    """(column, indicator name, unit) of each measure column."""


def find_csv_layout(rows: list[list[str]], *, display_path: str) -> CsvLayout:
    """Locate the header row of a RESAS CSV download and its columns."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [cell.strip() for cell in row]
        year = next((cells.index(h) for h in YEAR_HEADERS if h in cells), None)
        if year is None or not all(h in cells for h in KEY_HEADERS):
            continue
        keys = {h: cells.index(h) for h in KEY_HEADERS}
        used = {year, *keys.values()}
        measures = []
        for column, header in enumerate(cells):
            if column in used or not header:
                continue
            match = UNIT_PATTERN.match(header)
            name, unit = (match.group(1), match.group(2)) if match else (header, "")
            measures.append((column, name.strip(), unit.strip()))
        if not measures:
            break
        return CsvLayout(index, year, keys, measures)

    first = rows[0] if rows else []
    raise InputError(
        "RESAS の CSV の見出し行が見つかりません"
        f"（1行目の見出し: {', '.join(c.strip() for c in first) or '（空）'}）。",
        file=display_path,
        place=f"先頭 {HEADER_SEARCH_ROWS} 行",
        hint="見出し行に「集計年」（または「年」）、「都道府県コード」「都道府県名」"
        "「市区町村コード」「市区町村名」と、データの列が並んでいる必要があります。"
        "RESAS のサイトからダウンロードした CSV をそのまま置いてください。",
    )


def load_csv(path: Path, *, display_path: str, unit: str = "") -> Dataset:
    """Read one CSV downloaded from the RESAS site (Shift_JIS or UTF-8)."""
    data = read_bytes(path, display_path=display_path)
    text, encoding = decode(
        data, encodings=("utf-8-sig", "cp932"), display_path=display_path
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    layout = find_csv_layout(rows, display_path=display_path)
    source_id = f"resas/csv/{Path(display_path).name}"

    records = []
    for line_number, row in enumerate(
        rows[layout.header_row + 1 :], start=layout.header_row + 2
    ):
        if not any(cell.strip() for cell in row):
            continue
        cell = _cell_reader(row, line_number, display_path)
        area_code, area_name = _csv_area(cell, layout, line_number, display_path)
        period = _year_text(cell(layout.year_column))
        if not period.isdigit():
            raise InputError(
                f"年 {period!r} が4桁の年ではありません。",
                file=display_path,
                place=f"{line_number}行目、{layout.year_column + 1}列目",
                hint="年の列には 2020 や 2020年 のように書かれている必要があります。",
            )
        for column, name, measure_unit in layout.measures:
            text_value = cell(column)
            value, status = _csv_value(text_value, line_number, column, display_path)
            records.append(
                {
                    "indicator": name,
                    "area_code": area_code,
                    "area_name": area_name,
                    "period": period,
                    "period_kind": PeriodKind.YEAR.value,
                    "value": value,
                    "unit": measure_unit or unit,
                    "status": status,
                    "source_id": source_id,
                }
            )

    frame = pd.DataFrame(records, columns=TIDY_COLUMNS)
    provenance = {
        source_id: _provenance(
            source_id,
            "RESAS ダウンロード CSV "
            + "・".join(name for _, name, _ in layout.measures),
            display_path,
            file_sha256(path),
            _years(frame) if not frame.empty else "",
        )
    }
    logger.info(
        "読み込み: %s（RESAS の CSV、%s、%d 行、%d 項目）",
        display_path,
        "Shift_JIS" if encoding == "cp932" else "UTF-8",
        len(frame),
        len(layout.measures),
    )
    return Dataset(frame, provenance, {name: name for _, name, _ in layout.measures})


def _cell_reader(row: list[str], line_number: int, display_path: str):
    def cell(column: int) -> str:
        if column >= len(row):
            raise InputError(
                f"列が {len(row)} 列しかなく、{column + 1}列目がありません。",
                file=display_path,
                place=f"{line_number}行目",
                hint="ファイルが途中で切れていないか確認してください。",
            )
        return row[column].strip()

    return cell


def _csv_area(cell, layout: CsvLayout, line_number: int, display_path: str):
    pref_code = cell(layout.key_columns["都道府県コード"])
    city_code = cell(layout.key_columns["市区町村コード"])
    city_name = cell(layout.key_columns["市区町村名"])
    pref_name = cell(layout.key_columns["都道府県名"])
    if city_code.isdigit() and len(city_code) in (4, 5):
        return city_code.zfill(5), city_name
    if city_code in ("", "-", "－") and pref_code.isdigit() and len(pref_code) <= 2:
        return f"{int(pref_code):02d}000", pref_name
    raise InputError(
        f"市区町村コード {city_code!r}（都道府県コード {pref_code!r}）が"
        "地域コードとして読めません。",
        file=display_path,
        place=f"{line_number}行目、{layout.key_columns['市区町村コード'] + 1}列目",
        hint="市区町村コードは5桁の数字、都道府県の行は「-」か空欄のはずです。",
    )


def _csv_value(text: str, line_number: int, column: int, display_path: str):
    if text in MISSING_CELLS:
        return float("nan"), MISSING_CELLS[text].value
    try:
        return float(text.replace(",", "")), ""
    except ValueError:
        raise InputError(
            f"数値ではない値 {text!r} があります。",
            file=display_path,
            place=f"{line_number}行目、{column + 1}列目",
            hint="数値か、値がないことを表す「-」を入れてください。",
        ) from None


# --- the dataset kind `resas` -----------------------------------------------


def load_resas(settings, config, master) -> Dataset:
    """Load a `kind: resas` dataset: a saved API response or a RESAS CSV."""
    path = config.path(settings.file)
    if path.suffix.lower() == ".csv":
        return load_csv(path, display_path=settings.file, unit=settings.unit)

    for name in ("endpoint", "area"):
        if not getattr(settings, name):
            raise ConfigError(
                f"RESAS API の応答 {settings.file} には設定 {name} が必要です。",
                place="設定 datasets",
                hint="endpoint に API のパス（例: population/composition/perYear）、"
                "area に応答の地域コード（市区町村は5桁、都道府県は2桁）を"
                "書いてください。",
            )
    area_code, area_name = resolve_area(settings.area, master)
    request = ResasRequest(
        endpoint=settings.endpoint.strip("/"),
        area_code=area_code,
        area_name=area_name,
        matter=settings.matter,
        unit=settings.unit,
    )
    return load_response(path, request, display_path=settings.file)


def resolve_area(area: str, master) -> tuple[str, str]:
    """Return the five-digit code and name of a RESAS area setting.

    A prefecture (two digits, as RESAS's prefCode) becomes its code and 000.
    """
    text = str(area).strip()
    if text.isascii() and text.isdigit() and len(text) <= 2:
        prefecture = f"{int(text):02d}"
        members = master.in_prefecture(prefecture)
        if not members:
            raise ConfigError(
                f"都道府県コード {text} の団体が団体コード一覧にありません。",
                place="設定 area",
                hint="都道府県は 01（北海道）～47（沖縄県）で指定してください。",
            )
        return f"{prefecture}000", members[0].prefecture

    code = normalize_area_code(text, setting="area")
    municipality = master.get(code)
    if municipality is None:
        raise ConfigError(
            f"地域コード {code} は団体コード一覧にありません。",
            place="設定 area",
            hint="5桁の地域コードを確かめてください（例: 真鶴町は 14383）。",
        )
    return code, municipality.name.replace(" ", "")
