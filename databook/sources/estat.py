"""e-Stat API 3.0 (政府統計の総合窓口): getStatsData and getMetaInfo in JSON.

The JSON is a conversion of the XML form: attributes become `@name` keys and
element text becomes `$`. A repeated element becomes a list, but one that
occurs once (a single CLASS, CLASS_OBJ, VALUE, NOTE or TABLE_INF) becomes a
bare object, so every such node goes through `as_list`.

Values arrive as strings. The symbols that DATA_INF.NOTE lists (`-`, `***`,
`X`...) stand for missing values and become NaN with a status, never zero.
Codes stay strings, because area and item codes have leading zeros.

A response carries RESULT.STATUS: 0 is normal, 1 means no data matched (an
empty result), 2–99 are warnings, and 100 and above are errors whose
ERROR_MSG is passed on. e-Stat sends STATUS with HTTP 200 and sometimes with
HTTP 403, so the body is always read.

社会・人口統計体系 tables are re-aggregated to today's municipal boundaries
(廃置分合処理済) and SSDSE editions are not. The build keeps the `estat` kind
apart from `ssdse-a` and never joins the two into one series.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from databook.errors import InputError, RemoteDataError
from databook.model import TIDY_COLUMNS, Dataset, PeriodKind, Provenance, Status
from databook.sources.codes import check_digit
from databook.sources.http import HttpClient, RetryPolicy, redact, redact_bytes
from databook.sources.ssdse import SURVEY_BY_PREFIX, format_period, survey_of

logger = logging.getLogger(__name__)

API_URL = "https://api.e-stat.go.jp/rest/3.0/app/json"
MAX_PAGE_SIZE = 100_000
"""Rows e-Stat returns per getStatsData call at most (its default `limit`)."""

# e-Stat's terms of use require this sentence on every page of a service that
# uses the API.
CREDIT = (
    "このサービスは、政府統計総合窓口(e-Stat)のAPI機能を使用していますが、"
    "サービスの内容は国によって保証されたものではありません。"
)
LICENCE = "政府標準利用規約（第2.0版）準拠（CC BY 4.0 互換）"

SSDS_CODE = "00200502"
"""政府統計コード of 社会・人口統計体系, whose time codes are all YYYY100000."""

STATUS_NO_DATA = 1
STATUS_FIRST_ERROR = 100
STATUS_AUTHENTICATION = 100

# Meaning of the special symbols when a response's NOTE list lacks one. The
# NOTE texts decide first, see `status_of_note`.
DEFAULT_SYMBOLS = {
    "": Status.NOT_SURVEYED,
    "-": Status.NOT_SURVEYED,
    "***": Status.NOT_SURVEYED,
    "…": Status.NOT_APPLICABLE,
    "...": Status.NOT_APPLICABLE,
    "X": Status.SUPPRESSED,
    "x": Status.SUPPRESSED,
}

TIME_CODE = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})")
QUARTERS = {("01", "03"): 1, ("04", "06"): 2, ("07", "09"): 3, ("10", "12"): 4}
FISCAL_NAME = re.compile(r"\d{4}年度")


def as_list(node: Any) -> list:
    """Return a node that may be missing, one object or a list, as a list."""
    if node is None:
        return []
    if isinstance(node, list):
        return node
    return [node]


def text_of(node: Any) -> str:
    """Return the text of a node that is either a plain value or {"$": text}."""
    if isinstance(node, dict):
        return str(node.get("$", ""))
    return "" if node is None else str(node)


@dataclass(frozen=True)
class ClassItem:
    """One code of a classification (CLASS)."""

    code: str
    name: str
    level: str = ""
    unit: str = ""
    parent: str = ""


@dataclass(frozen=True)
class Classification:
    """One dimension of a table (CLASS_OBJ): tab, cat01…cat15, area or time."""

    id: str
    name: str
    items: dict[str, ClassItem]


@dataclass(frozen=True)
class TableInfo:
    """The TABLE_INF of a statistics table, as provenance needs it."""

    id: str
    stat_code: str
    """政府統計コード, e.g. 00200502 for 社会・人口統計体系."""
    stat_name: str
    gov_org: str
    statistics_name: str
    title: str
    survey_date: str
    open_date: str
    updated_date: str


@dataclass
class StatsPage:
    """One getStatsData response, parsed but not yet tidied."""

    status: int
    message: str
    table: TableInfo | None
    classes: dict[str, Classification]
    notes: dict[str, str]
    """Special symbol → its meaning, from DATA_INF.NOTE."""
    values: list[dict]
    total_number: int
    from_number: int | None = None
    to_number: int | None = None
    next_key: int | None = None
    file: str = ""
    sha256: str = ""


def load_json(body: bytes, *, place: str) -> dict:
    """Decode a JSON response, naming a cut-off or non-JSON body as such."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        # A body cut off in transfer starts like a JSON object but does not end
        # like one (or ends inside a multi-byte character).
        stripped = body.strip()
        cut = stripped.startswith(b"{") and not stripped.endswith(b"}")
        problem = "途中で切れています" if cut else "JSON ではありません"
        raise RemoteDataError(
            f"e-Stat API の応答が{problem}（{len(body)} バイト）。",
            place=redact(place),
            hint="もう一度 databook fetch を実行してください。"
            "続く場合は api_url の設定（プロキシやミラー）を確かめてください。",
        ) from None
    if not isinstance(document, dict):
        raise RemoteDataError(
            "e-Stat API の応答が JSON のオブジェクトではありません。",
            place=redact(place),
            hint="api_url が e-Stat API 3.0 の JSON の URL か確かめてください。",
        )
    return document


def check_result(document: dict, root_key: str, *, place: str) -> dict:
    """Return the response's root object, raising RemoteDataError for STATUS ≥ 100."""
    root = document.get(root_key)
    if not isinstance(root, dict) or not isinstance(root.get("RESULT"), dict):
        raise RemoteDataError(
            f"e-Stat API の応答に {root_key}.RESULT がありません。",
            place=redact(place),
            hint="api_url が e-Stat API 3.0 の JSON の URL か確かめてください。",
        )
    result = root["RESULT"]
    try:
        status = int(result.get("STATUS"))
    except (TypeError, ValueError):
        status = -1
    message = redact(text_of(result.get("ERROR_MSG")))

    if status >= STATUS_FIRST_ERROR or status < 0:
        if status == STATUS_AUTHENTICATION:
            hint = (
                "アプリケーションID（環境変数 ESTAT_APP_ID か --app-id）が正しいか、"
                "e-Stat のマイページで確かめてください。"
            )
        else:
            hint = (
                "statsDataId と filters の設定を e-Stat API の仕様と見比べてください。"
                "設定が正しければ、しばらくしてからもう一度実行してください。"
            )
        raise RemoteDataError(
            f"e-Stat API がエラーを返しました（STATUS {status}: {message}）。",
            place=redact(place),
            hint=hint,
        )
    if status > STATUS_NO_DATA:
        logger.warning("e-Stat API の注意（STATUS %d）: %s", status, message)
    return root


def parse_classes(class_inf: Any) -> dict[str, Classification]:
    classes = {}
    for obj in as_list((class_inf or {}).get("CLASS_OBJ")):
        items = {}
        for item in as_list(obj.get("CLASS")):
            code = str(item.get("@code", ""))
            items[code] = ClassItem(
                code=code,
                name=str(item.get("@name", "")),
                level=str(item.get("@level", "")),
                unit=str(item.get("@unit", "")),
                parent=str(item.get("@parentCode", "")),
            )
        classes[str(obj.get("@id"))] = Classification(
            str(obj.get("@id")), str(obj.get("@name", "")), items
        )
    return classes


def parse_table_info(node: Any) -> TableInfo | None:
    tables = as_list(node)
    if not tables:
        return None
    table = tables[0]
    stat = table.get("STAT_NAME")
    survey_date = text_of(table.get("SURVEY_DATE"))
    return TableInfo(
        id=str(table.get("@id", "")),
        stat_code=str(stat.get("@code", "")) if isinstance(stat, dict) else "",
        stat_name=text_of(stat),
        gov_org=text_of(table.get("GOV_ORG")),
        statistics_name=text_of(table.get("STATISTICS_NAME")),
        title=text_of(table.get("TITLE")),
        survey_date="" if survey_date in ("", "0") else survey_date,
        open_date=text_of(table.get("OPEN_DATE")),
        updated_date=text_of(table.get("UPDATED_DATE")),
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(text_of(value))
    except ValueError:
        return None


def parse_stats_data(document: dict, *, place: str) -> StatsPage:
    """Parse one getStatsData response; STATUS 1 gives a page without values."""
    root = check_result(document, "GET_STATS_DATA", place=place)
    result = root["RESULT"]
    data = root.get("STATISTICAL_DATA") or {}
    info = data.get("RESULT_INF") or {}
    data_inf = data.get("DATA_INF") or {}

    notes = {
        text_of(note.get("@char")): text_of(note)
        for note in as_list(data_inf.get("NOTE"))
        if isinstance(note, dict)
    }
    return StatsPage(
        status=int(result.get("STATUS")),
        message=text_of(result.get("ERROR_MSG")),
        table=parse_table_info(data.get("TABLE_INF")),
        classes=parse_classes(data.get("CLASS_INF")),
        notes=notes,
        values=as_list(data_inf.get("VALUE")),
        total_number=_int_or_none(info.get("TOTAL_NUMBER")) or 0,
        from_number=_int_or_none(info.get("FROM_NUMBER")),
        to_number=_int_or_none(info.get("TO_NUMBER")),
        next_key=_int_or_none(info.get("NEXT_KEY")),
    )


def parse_meta_info(
    document: dict, *, place: str
) -> tuple[TableInfo | None, dict[str, Classification]]:
    """Parse a getMetaInfo response into its table information and classes."""
    root = check_result(document, "GET_META_INFO", place=place)
    metadata = root.get("METADATA_INF") or {}
    return (
        parse_table_info(metadata.get("TABLE_INF")),
        parse_classes(metadata.get("CLASS_INF")),
    )


def status_of_note(symbol: str, meaning: str) -> Status:
    """Return why a value is missing, from its NOTE text or else its symbol."""
    if "秘匿" in meaning:
        return Status.SUPPRESSED
    if "該当" in meaning and "ない" in meaning:
        return Status.NOT_APPLICABLE
    if any(word in meaning for word in ("調査", "集計", "得られない")):
        return Status.NOT_SURVEYED
    if "不詳" in meaning or "不明" in meaning:
        return Status.UNKNOWN
    return DEFAULT_SYMBOLS.get(symbol, Status.UNKNOWN)


def parse_period(
    code: str, name: str, indicator: str, stat_code: str
) -> tuple[str, str]:
    """Return (period, period_kind) of a time code read with its CLASS name.

    In 社会・人口統計体系 every code is YYYY100000 labelled 年度, also for census
    counts and calendar-year totals, so there the item's survey decides the
    kind. Elsewhere YYYY000000 is a calendar year, YYYY100000 a fiscal year,
    YYYY00MMMM a month and YYYY00MMNN (three months) a quarter. Returns empty
    strings for a code that fits none of these.
    """
    match = TIME_CODE.fullmatch(code)
    if not match:
        return "", ""
    year, part, first, last = match.groups()

    if stat_code == SSDS_CODE and (part, first, last) == ("10", "00", "00"):
        kind = survey_of(indicator).period_kind
        return format_period(year, kind), kind.value

    if (first, last) == ("00", "00") and part in ("00", "10"):
        fiscal = part == "10" or FISCAL_NAME.search(name) is not None
        if fiscal:
            return f"FY{year}", PeriodKind.FISCAL_YEAR.value
        return year, PeriodKind.CALENDAR_YEAR.value
    if part == "00" and first == last and "01" <= first <= "12":
        return f"{year}-{first}", PeriodKind.MONTH.value
    if part == "00" and (first, last) in QUARTERS:
        return f"{year}-Q{QUARTERS[first, last]}", PeriodKind.QUARTER.value
    return "", ""


def normalize_response_area(code: str, *, place: str) -> str:
    """Return a five-digit area code; a six-digit one must have a valid check digit."""
    if len(code) == 5 and code.isascii() and code.isdigit():
        return code
    six_digits = len(code) == 6 and code.isascii() and code.isdigit()
    if six_digits and check_digit(code[:5]) == code[5]:
        return code[:5]
    raise InputError(
        f"地域コード {code!r} が5桁（または検査数字の正しい6桁）の数字ではありません。",
        file=place,
        hint="e-Stat から取り直してください（databook fetch --refresh）。",
    )


def item_label(name: str, code: str) -> str:
    """Return an item name without the `A1101_` prefix of 社会・人口統計体系."""
    prefix = f"{code}_"
    return name[len(prefix) :] if name.startswith(prefix) else name


@dataclass(frozen=True)
class TidyOptions:
    """Settings that turn the codes of a table into indicators."""

    indicator_class: str = "cat01"
    """Classification (CLASS_OBJ id) whose codes are the indicators."""
    indicators: Mapping[str, str] | None = None
    """Code → indicator name. Only these codes are kept, or all codes when None."""
    source_prefix: str = "estat"


def tidy_pages(pages: list[StatsPage], options: TidyOptions | None = None) -> Dataset:
    """Turn the pages of one getStatsData request into a tidy Dataset.

    Classes and table information come from the first page that has them, as
    pages after the first may be fetched without metadata. Every row cites
    the page file it was read from.
    """
    options = options or TidyOptions()
    table = next((p.table for p in pages if p.table), None)
    classes = next((p.classes for p in pages if p.classes), {})
    frames = []
    provenance = {}
    for index, page in enumerate(pages, start=1):
        frame = _tidy_page(page, index, classes, table, options)
        if frame.empty:
            continue
        frames.append(frame)
        for source_id in frame["source_id"].unique():
            survey_key = source_id.rsplit("/", 1)[1]
            provenance[source_id] = _provenance(
                page, table, source_id, _credit_of_survey(survey_key, table)
            )
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=[*TIDY_COLUMNS])
    )

    labels = {}
    indicator_items = classes.get(options.indicator_class)
    if indicator_items:
        for code, item in indicator_items.items.items():
            name = options.indicators.get(code) if options.indicators else code
            if name:
                labels[name] = item_label(item.name, code)

    frame = frame[TIDY_COLUMNS].reset_index(drop=True)
    return Dataset(frame, provenance, labels)


def _source_id(
    options: TidyOptions, table: TableInfo | None, page: int, survey: str
) -> str:
    table_id = table.id if table else "unknown"
    return f"{options.source_prefix}-{table_id}-p{page}/{survey}"


def _credit_of_survey(key: str, table: TableInfo | None) -> str | None:
    if table is None or table.stat_code != SSDS_CODE:
        return None
    surveys = {survey.key: survey for survey in SURVEY_BY_PREFIX.values()}
    survey = surveys.get(key)
    return survey.credit if survey and survey.credit else None


def _provenance(
    page: StatsPage, table: TableInfo | None, source_id: str, survey: str | None
) -> Provenance:
    if table is None:
        source = "政府統計の総合窓口（e-Stat）"
        title = "（表の情報なし）"
        url = "https://www.e-stat.go.jp/"
    else:
        source = (
            f"{table.gov_org}「{table.stat_name}」{table.statistics_name}（e-Stat）"
        )
        title = f"{table.title}（統計表ID {table.id}）"
        url = f"https://www.e-stat.go.jp/dbview?sid={table.id}"
    reference = []
    if table and table.survey_date:
        reference.append(f"調査年月 {table.survey_date}")
    if table and table.open_date:
        reference.append(f"公開日 {table.open_date}")
    return Provenance(
        id=source_id,
        source=source,
        survey=survey,
        table=title,
        file=page.file,
        sha256=page.sha256,
        licence=LICENCE,
        reference="、".join(reference),
        url=url,
        series=source,
        notice=CREDIT,
    )


def _tidy_page(
    page: StatsPage,
    page_index: int,
    classes: dict[str, Classification],
    table: TableInfo | None,
    options: TidyOptions,
) -> pd.DataFrame:
    if not page.values:
        return pd.DataFrame(columns=TIDY_COLUMNS)
    raw = pd.DataFrame.from_records(page.values)
    key = f"@{options.indicator_class}"
    if key not in raw.columns:
        present = [c[1:] for c in raw.columns if c.startswith("@")]
        raise InputError(
            f"分類 {options.indicator_class} が値（VALUE）にありません"
            f"（ある分類: {', '.join(present)}）。",
            file=page.file,
            hint="設定 indicator_class に、指標のコードが入っている分類を"
            "書いてください。",
        )
    _check_single_codes(raw, options.indicator_class, page.file)

    codes = raw[key].astype(str)
    if options.indicators:
        keep = codes.isin(list(options.indicators))
        raw = raw[keep].reset_index(drop=True)
        codes = codes[keep].reset_index(drop=True)
        indicator = codes.map(dict(options.indicators))
    else:
        indicator = codes
    if raw.empty:
        return pd.DataFrame(columns=TIDY_COLUMNS)

    frame = pd.DataFrame({"indicator": indicator})
    frame["area_code"], frame["area_name"] = _areas(raw, classes, page.file)
    frame["period"], frame["period_kind"] = _periods(
        raw, classes, codes, table, page.file
    )
    frame["value"], frame["status"] = _values(raw, page)
    frame["unit"] = _units(raw, classes, options.indicator_class, codes)

    ssds = table is not None and table.stat_code == SSDS_CODE
    frame["source_id"] = _map_unique(
        codes,
        lambda code: _source_id(
            options, table, page_index, survey_of(code).key if ssds else "table"
        ),
    )
    return frame


def _map_unique(series: pd.Series, function) -> pd.Series:
    """Apply `function` once per distinct value of `series`, not once per row."""
    mapping = {value: function(value) for value in series.unique()}
    return series.map(mapping)


def _check_single_codes(raw: pd.DataFrame, indicator_class: str, file: str) -> None:
    """Raise when a dimension other than indicator, area and time has several codes."""
    for column in raw.columns:
        if not column.startswith("@") or column in ("@area", "@time", "@unit"):
            continue
        if column == f"@{indicator_class}":
            continue
        if raw[column].nunique() > 1:
            name = column[1:]
            examples = sorted(raw[column].astype(str).unique())[:5]
            parameter = f"cd{name[0].upper()}{name[1:]}"
            raise InputError(
                f"分類 {name} に複数のコード（{', '.join(examples)}…）があり、"
                "1つの値に決まりません。",
                file=file,
                hint=f"filters に {parameter} を書いて1つに絞ってください。",
            )


def _areas(raw: pd.DataFrame, classes: dict, file: str) -> tuple[pd.Series, pd.Series]:
    if "@area" not in raw.columns:
        # NOTE: a table without an area dimension is taken to be national.
        return pd.Series("00000", index=raw.index), pd.Series("全国", index=raw.index)
    area_class = classes.get("area")
    names = {c: i.name for c, i in area_class.items.items()} if area_class else {}
    unique = raw["@area"].astype(str).unique()
    normalized = {code: normalize_response_area(code, place=file) for code in unique}
    codes = raw["@area"].astype(str)
    return codes.map(normalized), _map_unique(codes, lambda c: names.get(c, ""))


def _periods(
    raw: pd.DataFrame,
    classes: dict,
    codes: pd.Series,
    table: TableInfo | None,
    file: str,
) -> tuple[pd.Series, pd.Series]:
    time_class = classes.get("time")
    names = {c: i.name for c, i in time_class.items.items()} if time_class else {}
    stat_code = table.stat_code if table else ""
    pairs = pd.DataFrame({"time": raw["@time"].astype(str), "indicator": codes})
    lookup = {}
    for time_code, indicator in pairs.drop_duplicates().itertuples(index=False):
        period, kind = parse_period(
            time_code, names.get(time_code, ""), indicator, stat_code
        )
        if not period:
            raise InputError(
                f"時間軸コード {time_code}（{names.get(time_code, '名前なし')}）"
                "の期間を読み取れません。",
                file=file,
                hint="年・年度・月・四半期の表を選ぶか、filters の cdTime で"
                "読める期間に絞ってください。",
            )
        lookup[time_code, indicator] = (period, kind)
    keys = pd.MultiIndex.from_frame(pairs)
    found = pd.DataFrame(
        list(lookup.values()),
        index=pd.MultiIndex.from_tuples(list(lookup), names=["time", "indicator"]),
        columns=["period", "period_kind"],
    ).reindex(keys)
    return (
        pd.Series(found["period"].to_numpy(), index=raw.index),
        pd.Series(found["period_kind"].to_numpy(), index=raw.index),
    )


def _values(raw: pd.DataFrame, page: StatsPage) -> tuple[pd.Series, pd.Series]:
    cells = (
        raw["$"].astype(str).str.strip()
        if "$" in raw.columns
        else pd.Series("", index=raw.index)
    )
    values = pd.to_numeric(cells, errors="coerce").astype("float64")
    symbols = {s: status_of_note(s, m).value for s, m in page.notes.items()}
    for symbol, status in DEFAULT_SYMBOLS.items():
        symbols.setdefault(symbol, status.value)

    missing = values.isna()
    statuses = pd.Series("", index=raw.index, dtype=object)
    statuses[missing] = cells[missing].map(symbols)
    unknown = missing & statuses.isna()
    if unknown.any():
        position = int(unknown.idxmax())
        raise InputError(
            f"数値でも注記（NOTE）の記号でもない値 {cells[position]!r} があります。",
            file=page.file,
            place=f"VALUE の {position + 1} 番目",
            hint="e-Stat から取り直してください（databook fetch --refresh）。",
        )
    return values, statuses


def _units(
    raw: pd.DataFrame, classes: dict, indicator_class: str, codes: pd.Series
) -> pd.Series:
    if "@unit" in raw.columns:
        return raw["@unit"].fillna("").astype(str)
    item_class = classes.get(indicator_class)
    units = {c: i.unit for c, i in item_class.items.items()} if item_class else {}
    return _map_unique(codes, lambda c: units.get(c, ""))


class EstatClient:
    """Calls to e-Stat API 3.0 in JSON, with the appId kept out of every message."""

    def __init__(
        self,
        app_id: str,
        *,
        api_url: str = API_URL,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.app_id = app_id
        self.api_url = api_url.rstrip("/")
        self.http = HttpClient(policy=policy, secrets=[app_id], service="e-Stat API")

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> EstatClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_stats_data(self, params: Mapping[str, str]) -> tuple[bytes, StatsPage]:
        """Request one page of getStatsData; return its body and the parsed page."""
        body, document, place = self._call("getStatsData", params)
        return body, parse_stats_data(document, place=place)

    def get_meta_info(
        self, stats_data_id: str
    ) -> tuple[bytes, TableInfo | None, dict[str, Classification]]:
        """Request getMetaInfo of a table; return its body, table and classes."""
        body, document, place = self._call(
            "getMetaInfo", {"statsDataId": stats_data_id}
        )
        table, classes = parse_meta_info(document, place=place)
        return body, table, classes

    def _call(
        self, endpoint: str, params: Mapping[str, str]
    ) -> tuple[bytes, dict, str]:
        url = f"{self.api_url}/{endpoint}"
        response = self.http.get(url, {"appId": self.app_id, **params})
        place = response.url
        body = redact_bytes(response.body)
        if body != response.body:
            logger.warning(
                "%s の応答にアプリケーションID が含まれていたので、"
                "*** に置き換えて保存します。",
                endpoint,
            )
        try:
            document = load_json(body, place=place)
        except RemoteDataError:
            if response.status_code >= 400:
                raise RemoteDataError(
                    f"e-Stat API が HTTP {response.status_code} を返しました。",
                    place=place,
                    hint="アプリケーションID と api_url の設定を確かめ、"
                    "しばらくしてからもう一度実行してください。",
                ) from None
            raise
        return body, document, place
