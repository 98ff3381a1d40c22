"""The databook.yml schema, and errors that name the setting and its line."""

from __future__ import annotations

import difflib
import glob
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from databook.errors import ConfigError, ErrorCollector, SettingValueError
from databook.sources.codes import parse_area_code
from databook.yaml_errors import yaml_syntax_error

CONFIG_NAME = "databook.yml"


def _area_code_text(value: str) -> str:
    """Check an area code setting and return it with full-width digits made ASCII."""
    parse_area_code(value)
    return unicodedata.normalize("NFKC", value).strip()


AreaCode = Annotated[str, AfterValidator(_area_code_text)]
"""A five-digit area code, or six digits with the check digit (JIS X 0402)."""
RowNumber = Annotated[int, Field(ge=1)]
"""A 1-based row number, as a spreadsheet shows it."""
ROW_RANGE = re.compile(r"(\d+)\s*[-~～]\s*(\d+)?")


def parse_row_range(text: str) -> tuple[int, int | None]:
    """Return the first and last row (None: to the end) of a range like 12-742.

    Raises SettingValueError for a range that is not one, starts below row 1
    or ends before it starts.
    """
    match = ROW_RANGE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        raise SettingValueError(
            f"{text!r} が行の範囲ではありません",
            hint="12-742 のように、最初と最後の行番号を「-」でつないで書いてください"
            "（最後まで読むなら 12-）。",
        )
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else None
    if first < 1:
        raise SettingValueError(
            "行番号は1から数えます",
            hint="表計算ソフトの左端に出る行番号（1から）で書いてください。",
        )
    if last is not None and last < first:
        raise SettingValueError(
            f"最初の行 {first} が最後の行 {last} より後です",
            hint=f"{last}-{first} のように、小さい行番号を先に書いてください。",
        )
    return first, last


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MunicipalitiesDataset(Settings):
    """The municipality master list (localgovjp-utf8.csv)."""

    kind: Literal["municipalities"]
    file: str
    """Path of the master list, relative to the project folder."""


class SsdseDataset(Settings):
    """SSDSE-A editions of 独立行政法人統計センター, one CSV per edition."""

    kind: Literal["ssdse-a"]
    files: list[str] = Field(min_length=1)
    """Paths or glob patterns (data/raw/ssdse/SSDSE-A-*.csv) in the project."""
    items: list[str] | None = None
    """Item codes to read (A1101...); all items when left out."""


class EstatDataset(Settings):
    """A statistics table of e-Stat API 3.0, fetched by `databook fetch`."""

    kind: Literal["estat"]
    stats_data_id: str = Field(pattern=r"^\d{10}$")
    """統計表ID (statsDataId), 10 digits, e.g. 0000020201."""
    items: list[str] | None = None
    """Codes of `indicator_class` to fetch (A1101...); sent as cdCat01 by default."""
    areas: list[AreaCode] | None = None
    """Area codes to fetch, 5 digits or 6 with the check digit; sent as cdArea."""
    filters: dict[str, str | int | list[str | int]] = {}
    """Other getStatsData narrowing parameters by their API name (cdTime, lvArea)."""
    indicator_class: str = Field(default="cat01", pattern=r"^(tab|cat\d{2})$")
    """Classification whose codes are the indicators."""
    indicators: dict[str, str] | None = None
    """Code → indicator name; only these codes are kept. Codes as they are if unset."""
    api_url: str = "https://api.e-stat.go.jp/rest/3.0/app/json"
    """Base URL of the API (JSON), changed for a proxy or a mirror."""
    page_size: int | None = Field(default=None, ge=1, le=100_000)
    """Rows per request (`limit`); the API's maximum of 100,000 if unset."""
    files: list[str] | None = None
    """Responses saved by hand, read as they are instead of fetched ones."""

    @field_validator("filters")
    @classmethod
    def _known_parameters(cls, filters: dict) -> dict:
        pattern = re.compile(r"^(cd|lv)(Tab|Time|Area|Cat(0[1-9]|1[0-5]))(From|To)?$")
        unknown = [name for name in filters if not pattern.fullmatch(name)]
        if unknown:
            raise ValueError(
                f"絞り込みの名前 {', '.join(unknown)} は e-Stat API にありません"
                "（例: cdArea、cdCat01、cdTime、cdTimeFrom、lvArea）"
            )
        return filters

    @field_validator("api_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingValueError(
                "http:// か https:// で始まる Web の URL ではありません",
                hint="e-Stat API の URL（既定は https://api.e-stat.go.jp/rest/3.0/"
                "app/json）か、プロキシやミラーの URL を書いてください。"
                "使わないなら api_url の行を消してください。",
            )
        return url

    @field_validator("items", "areas", mode="before")
    @classmethod
    def _codes_as_text(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        # YAML reads an unquoted 01100 as the octal number 576, so a code
        # that arrives as a number below 10000 may have lost its digits.
        small = [item for item in value if isinstance(item, int) and item < 10000]
        if small:
            raise ValueError(
                f"コード {small[0]} が数として読まれました。"
                '"01100" のように引用符で囲んでください'
            )
        return [str(item) if isinstance(item, int) else item for item in value]


class CensusSeriesDataset(Settings):
    """Census population of one prefecture's municipalities, a JSON list by name."""

    kind: Literal["census-series"]
    file: str
    """Path of the JSON file, relative to the project folder."""
    prefecture: str
    """Prefecture whose municipalities the file lists, e.g. 神奈川県."""
    preliminary: list[int] = []
    """Census years whose counts in the file are preliminary (速報), e.g. [2020]."""


class ResasDataset(Settings):
    """RESAS data: an archived API response (JSON) or a CSV from the RESAS site."""

    kind: Literal["resas"]
    file: str
    """Path of the saved response (.json) or the downloaded CSV, in the project."""
    endpoint: str | None = None
    """API path of a .json file after api/v1/, e.g. population/composition/perYear."""
    area: str | None = None
    """Area a .json file answers: 5-digit code, or 2-digit prefecture code."""
    matter: Literal[1, 2, 3] = 1
    """`matter` of a fishery/sea response: 1 the area, 2 prefecture, 3 nation."""
    unit: str = ""
    """Unit of the values where the file does not give one (e.g. 百万円)."""

    @field_validator("area")
    @classmethod
    def _area_or_prefecture(cls, value: str | None) -> str | None:
        text = unicodedata.normalize("NFKC", value).strip() if value else value
        if text and not (text.isascii() and text.isdigit() and len(text) <= 2):
            parse_area_code(text)
        return text


class TableDataset(Settings):
    """An Excel or CSV table declared by its layout (sheet, header rows, columns)."""

    kind: Literal["table"]
    files: list[str] = Field(min_length=1)
    """Paths or glob patterns of the table files (.xlsx, .xls, .csv)."""
    source: str
    """出典 text for the table, e.g. 北海道「北海道観光入込客数調査」."""
    title: str | None = None
    """Table title in the list of sources; defaults to the file name."""
    sheet: str | None = None
    """Sheet name of an Excel file; the first sheet when left out."""
    header_rows: list[RowNumber] = Field(default=[1], min_length=1)
    """1-based rows holding the column headings; merged headings are joined."""
    data_rows: str | None = None
    """1-based row range of the data, e.g. 12-742; below the headings when left out."""
    area: AreaCode | None = None
    """Area code of every row, for a table of one area (a town's own series)."""
    area_column: str | None = None
    """Column (letter or heading) with area codes or names."""
    prefecture: str | None = None
    """Prefecture that area names belong to, e.g. 北海道."""
    prefecture_column: str | None = None
    """Column naming the prefecture of the rows below it (names without codes)."""
    area_aliases: dict[str, str] = {}
    """Area names to count under another name, e.g. 定山渓: 札幌市."""
    sum_repeated_areas: bool = False
    """Add up the rows of an area listed more than once (八雲町 in two 大海区)."""
    period: str | None = None
    """Period of every row, e.g. 2013 or FY2022."""
    period_from_file: str | None = None
    """Regular expression whose first group takes the year from each file name."""
    period_column: str | None = None
    """Column (letter or heading) with the period of each row."""
    periods_in_columns: bool = False
    """The period is in the column headings (平成13年度, 14年度, …)."""
    period_kind: Literal[
        "census", "calendar_year", "fiscal_year", "month", "date", "year"
    ] = "year"
    """How the period is read: census, calendar_year, fiscal_year, month, date, year."""
    indicator: str | None = None
    """Indicator name of every row, for a table of one item (市町村内総生産)."""
    indicator_columns: list[str] = []
    """Columns naming the indicator of each row; the rightmost filled one counts."""
    period_columns: str | None = None
    """Column range with periods in its headings, e.g. G:J (all when left out)."""
    columns: dict[str, str] = {}
    """Value columns (letter or heading) and the indicator name each gives."""
    months_in_columns: bool = False
    """The column headings are months (4月, april) of each row's year."""
    month_columns: str | None = None
    """Column range with months in its headings, e.g. E:P (all when left out)."""
    month_column: str | None = None
    """Column (letter or heading) with the month (4月) of each row."""
    unit: str = ""
    """Unit as printed, with its scale: 千人, 百万円, 経営体."""
    zero_marks: list[str] = []
    """Cell marks that mean zero in this table (漁業センサス prints zero as -)."""
    licence: str = ""
    """Terms of use of the table."""
    url: str = ""
    """Where the table is published."""

    @field_validator("data_rows")
    @classmethod
    def _row_range(cls, value: str | None) -> str | None:
        if value is not None:
            parse_row_range(value)
        return value

    def data_row_range(self) -> tuple[int, int | None] | None:
        """Return the first and last data row (last None: to the end), if set."""
        return parse_row_range(self.data_rows) if self.data_rows else None

    @field_validator("months_in_columns")
    @classmethod
    def _months_in_columns_fit(cls, value: bool, info: ValidationInfo) -> bool:
        if not value:
            return value
        _check_month_year(info.data, "months_in_columns")
        if info.data.get("periods_in_columns"):
            raise ValueError(
                "periods_in_columns と同時には使えません。見出しが月（4月、5月…）"
                "なら months_in_columns、年（平成13年度…）なら periods_in_columns "
                "を書いてください"
            )
        if not (info.data.get("indicator_columns") or info.data.get("indicator")):
            raise ValueError(
                "月の値の項目名が分かりません。indicator_columns（項目名の列）か "
                "indicator（表全体の項目名）を書いてください"
            )
        return value

    @field_validator("month_columns")
    @classmethod
    def _month_range(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        match = re.fullmatch(r"([A-Z]{1,3})\s*:\s*([A-Z]{1,3})", value)
        # Column letters sort as (length, text): Z comes before AA.
        if not match or (len(match[1]), match[1]) > (len(match[2]), match[2]):
            raise ValueError(
                "E:P のように、最初の月の列と最後の月の列の文字を「:」で"
                "つないで書いてください"
            )
        if not info.data.get("months_in_columns"):
            raise ValueError("months_in_columns: true と一緒に書いてください")
        return value

    @field_validator("month_column")
    @classmethod
    def _month_rows_fit(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        _check_month_year(info.data, "month_column")
        if info.data.get("months_in_columns"):
            raise ValueError(
                "months_in_columns と同時には使えません。月が列の見出しにあるなら "
                "months_in_columns、行ごとに月の列があるなら month_column を"
                "書いてください"
            )
        if info.data.get("period_column") or info.data.get("periods_in_columns"):
            raise ValueError(
                "月の列と別に期間の列は使えません。年（年度）は period（例: FY2019）"
                "か period_from_file で書いてください。行ごとに年月（2019年4月）が"
                "あるなら、month_column ではなく period_column と "
                "period_kind: month を使います"
            )
        if (
            info.data.get("period") is None
            and info.data.get("period_from_file") is None
        ):
            raise ValueError(
                "月の年（年度）が分かりません。period（例: FY2019）か "
                "period_from_file を書いてください"
            )
        return value


MONTH_YEAR_KINDS = ("fiscal_year", "calendar_year")
"""Period kinds that fix the months of a year: April–March or January–December."""


def _check_month_year(data: dict[str, Any], setting: str) -> None:
    """Raise ValueError unless the table's periods are years that months fit in."""
    # A missing period_kind is the default "year" or a value that failed its
    # own check, which pydantic reports on its own line.
    kind = data.get("period_kind", "year")
    if kind not in MONTH_YEAR_KINDS:
        raise ValueError(
            f"{setting} は period_kind が fiscal_year（年度、4月～3月）か "
            f"calendar_year（暦年、1月～12月）のときに使えます"
            f"（今は period_kind: {kind}）"
        )


class FindingsDataset(Settings):
    """Published findings quoted as such: one fact per row with its source page."""

    kind: Literal["findings"]
    file: str
    """Path of the findings CSV (UTF-8), relative to the project folder."""


class JukiDataset(Settings):
    """総務省「住民基本台帳に基づく人口、人口動態及び世帯数」, one CSV a year."""

    kind: Literal["juki"]
    files: list[str] = Field(min_length=1)
    """Paths or glob patterns (data/raw/juki/*.csv) in the project."""


class RegisterTableDataset(Settings):
    """A town's own summary table of population change (.xlsx, .xls or CSV)."""

    kind: Literal["register-table"]
    file: str
    """Path of the table, relative to the project folder."""
    sheet: str | None = None
    """Sheet name; the first sheet when left out."""
    header_rows: list[RowNumber] | None = None
    """1-based rows of the header block; detected when left out."""
    label_column: str | None = None
    """Column letter of the periods and district names; detected when left out."""
    columns: dict[str, str] | None = None
    """Indicator → column letter (births: F); detected from the header when left out."""
    period: str | None = None
    """Period of rows that carry none, e.g. 令和5年4月 or 2023-04."""
    title: str | None = None
    """Name of the table in the 出典 line; the file name when left out."""


class RegisterRecordsDataset(Settings):
    """A record-level export of the resident register, one row per notification."""

    kind: Literal["register-records"]
    file: str
    """Path of the export, relative to the project folder."""
    sheet: str | None = None
    """Sheet name of an Excel export; the first sheet when left out."""
    header_row: int = Field(default=1, ge=1)
    """1-based row of the column names."""
    columns: dict[str, str] | None = None
    """Field → column name (date: 異動日); detected from the header when left out."""
    threshold: int = Field(default=3, ge=1)
    """Counts below this many people are suppressed (shown as x)."""
    title: str | None = None
    """Name of the data in the 出典 line."""

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str] | None) -> dict[str, str] | None:
        from databook.sources.records import FIELDS

        unknown = sorted(set(columns or {}) - set(FIELDS))
        if unknown:
            raise ValueError(
                f"columns の項目 {', '.join(unknown)} は使えません。"
                f"次のいずれかを指定してください: {', '.join(FIELDS)}"
            )
        return columns


DatasetSettings = Annotated[
    MunicipalitiesDataset
    | SsdseDataset
    | EstatDataset
    | ResasDataset
    | TableDataset
    | FindingsDataset
    | JukiDataset
    | RegisterTableDataset
    | RegisterRecordsDataset
    | CensusSeriesDataset,
    Field(discriminator="kind"),
]

DATASET_MODELS: dict[str, type[Settings]] = {
    "municipalities": MunicipalitiesDataset,
    "ssdse-a": SsdseDataset,
    "estat": EstatDataset,
    "resas": ResasDataset,
    "table": TableDataset,
    "findings": FindingsDataset,
    "juki": JukiDataset,
    "register-table": RegisterTableDataset,
    "register-records": RegisterRecordsDataset,
    "census-series": CensusSeriesDataset,
}


# Analyses a chapter can present; databook.build.ANALYSES implements each.
ANALYSIS_NAMES = (
    "population",
    "population_change",
    "population_history",
    "age_pyramid",
    "juki",
    "industry",
    "tourism",
    "fishery",
    "economy",
    "finance",
    "series",
)


class Chapter(Settings):
    """One chapter of the book: its text and the analyses it presents."""

    file: str
    """Chapter text (.qmd), relative to the project folder."""
    analysis: list[str]
    """Analyses whose method notes the chapter prints; one name or a list."""

    @field_validator("analysis", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("analysis")
    @classmethod
    def _known_analyses(cls, names: list[str]) -> list[str]:
        unknown = [name for name in names if name not in ANALYSIS_NAMES]
        if unknown:
            raise ValueError(
                f"分析 {', '.join(unknown)} はありません。"
                f"次のいずれかを指定してください: {', '.join(ANALYSIS_NAMES)}"
            )
        if not names:
            raise ValueError("分析を1つ以上指定してください")
        return names


class Output(Settings):
    """Outputs that `databook build` writes."""

    pdf: bool = True
    """Write build/databook.pdf."""
    site: bool = True
    """Write the static site to build/site/."""
    paper: Literal["A4", "A5"] = "A4"
    """Paper size of the PDF booklet."""
    duplex: bool = False
    """Start every chapter on a right-hand page, for printing on both sides."""


class QuartoSettings(Settings):
    """Rendering build/quarto/ with an installed Quarto."""

    render: bool = False
    """Run `quarto render` on build/quarto/ after each build."""
    path: str | None = None
    """Path of the quarto executable; found on PATH when left out."""
    timeout: int = Field(default=600, ge=1)
    """Seconds that `quarto render` may run before it is stopped."""


class Config(Settings):
    """A data book edition: its municipality, inputs, chapters and outputs."""

    municipality: AreaCode
    """Area code of the book's municipality: 5 digits, or 6 with the check digit."""
    edition: int = Field(ge=2000, le=2100)
    """Edition year printed on the cover."""
    title: str | None = None
    """Book title; defaults to 「<市町村名> 地域経済データブック」."""
    publisher: str | None = None
    """Publisher printed on the cover and in the PDF metadata."""
    contact: str | None = None
    """Contact printed in the colophon (奥付), e.g. the office and its phone number."""
    era: Literal["both", "western", "japanese"] = "both"
    """How the text writes years: 2022年（令和4年）, 2022年, or 令和4年."""
    datasets: dict[str, DatasetSettings]
    chapters: list[Chapter] = Field(min_length=1)
    output: Output = Output()
    quarto: QuartoSettings = QuartoSettings()

    root: Path = Field(default=Path("."), exclude=True)
    """Project folder that relative paths start from (not a setting)."""

    @field_validator("municipality", mode="before")
    @classmethod
    def _code_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    def dataset_of_kind(self, kind: str) -> tuple[str, DatasetSettings] | None:
        for name, dataset in self.datasets.items():
            if dataset.kind == kind:
                return name, dataset
        return None

    def path(self, relative: str) -> Path:
        return self.root / relative


def load_config(path: Path) -> Config:
    """Read and validate databook.yml.

    Raises one ConfigError, or a DatabookErrorGroup of every duplicate key,
    invalid setting and missing file found, in the order of their lines.
    """
    path = _shown_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            "設定ファイルが見つかりません。",
            file=path,
            hint="プロジェクトのフォルダで実行するか、"
            "--project でフォルダを指定してください。",
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            "設定ファイルが UTF-8 ではありません。",
            file=path,
            hint="UTF-8 で保存し直してください。",
        ) from None

    try:
        document = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise yaml_syntax_error(
            error, text, file=path, error_class=ConfigError
        ) from None

    if not isinstance(data, dict):
        raise ConfigError(
            "設定ファイルの中身が「設定名: 値」の形になっていません。",
            file=path,
            hint="サンプルの databook.yml を写して書き直してください。",
        )
    if isinstance(data.get("municipality"), int | float):
        # YAML reads 01100 as the octal number 576 and 14383.0 as a float:
        # take the code as it was written.
        data["municipality"] = _scalar_text(document, "municipality")

    root = path.parent.resolve()
    problems = _duplicate_keys(document, path)
    config = None
    try:
        config = Config.model_validate({**data, "root": root})
    except ValidationError as error:
        problems += _setting_errors(error, path, document, data)
    problems += _missing_files(data, root, path, document)

    collector = ErrorCollector()
    for _, problem in sorted(problems, key=lambda pair: pair[0]):
        collector.add(problem)
    collector.raise_errors()
    assert config is not None
    return config


LinedError = tuple[int, ConfigError]
"""An error with the line it points at, for sorting errors by line."""


def _duplicate_keys(node: Any, path: Path, loc: tuple = ()) -> list[LinedError]:
    """Return a ConfigError for each key written twice in one mapping.

    PyYAML keeps the last of two equal keys silently, so a second
    `municipality:` line would quietly change whose book is built.
    """
    found: list[LinedError] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1
            full = (*loc, name)
            if name in seen:
                error = ConfigError(
                    f"設定 {setting_name(full)} が2回書かれています"
                    f"（{seen[name]}行目と{line}行目）。",
                    file=path,
                    place=f"{line}行目",
                    hint="どちらか一方を消してください。",
                )
                found.append((line, error))
            else:
                seen[name] = line
            found += _duplicate_keys(value, path, full)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found += _duplicate_keys(item, path, (*loc, index))
    return found


def setting_name(loc: tuple) -> str:
    """Return a setting's path as printed: datasets.fishery.data_rows.

    List items are counted from 1, as a user counts them, so the location
    ("chapters", 3, "file") prints as 「chapters の4番目の file」.
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f" の{part + 1}番目"
        elif text.endswith("番目"):
            text += f"の {part}"
        else:
            text += f".{part}" if text else str(part)
    return text


def setting_place(config: Config, loc: tuple) -> str:
    """Return "12行目（設定 datasets.fishery.area）" for a setting of `config`.

    Errors found after loading have only the settings at hand, so the file
    is composed again to find the line. Without the file, the place is the
    setting alone.
    """
    setting = setting_name(loc)
    try:
        text = (config.root / CONFIG_NAME).read_text(encoding="utf-8-sig")
        document = yaml.compose(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return f"設定 {setting}"
    return _place(document, loc, setting)


def _scalar_text(document: Any, key: str) -> str:
    """Return a top-level scalar exactly as written in the file."""
    for name, value in document.value:
        if name.value == key and isinstance(value, yaml.ScalarNode):
            return value.value
    return ""


def _shown_path(path: Path) -> Path:
    """Return `path` relative to the working folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def _setting_errors(
    error: ValidationError, path: Path, document: Any, data: Any
) -> list[LinedError]:
    """Return a ConfigError for each problem pydantic found, with its line."""
    entries = [
        (_strip_union_tag(tuple(entry["loc"])), entry) for entry in error.errors()
    ]
    # An unknown key is usually a misspelt known one, which then also counts
    # as missing: report the unknown key with the spelling it resembles, and
    # not that spelling as missing too.
    suggested = set()
    for loc, entry in entries:
        if entry["type"] == "extra_forbidden":
            close = _close_setting(loc, data)
            if close:
                suggested.add((*loc[:-1], close))

    found: list[LinedError] = []
    for loc, entry in entries:
        if entry["type"] == "missing" and loc in suggested:
            continue
        line = _line_of(document, loc) or 0
        found.append((line, _setting_error(loc, entry, path, document, data)))
    return found


def _close_setting(loc: tuple, data: Any) -> str | None:
    """Return the allowed setting that an unknown one at `loc` resembles."""
    allowed = _allowed_keys(loc[:-1], data)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    return close[0] if close else None


def _setting_error(
    loc: tuple, entry: Any, path: Path, document: Any, data: Any
) -> ConfigError:
    setting = setting_name(loc) or "(全体)"
    place = _place(document, loc, setting)
    kind = entry["type"]

    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], data)
        close = _close_setting(loc, data)
        suggestion = f"もしかして {close}？ " if close else ""
        return ConfigError(
            f"設定 {setting} はありません（不明な設定です）。",
            file=path,
            place=place,
            hint=f"{suggestion}ここで使える設定: {', '.join(allowed)}。",
        )
    if kind == "missing":
        return ConfigError(
            f"必須の設定 {setting} がありません。",
            file=path,
            place=place,
            hint=f"{setting} を書き足してください（README の設定の説明を参照）。",
        )
    if kind == "union_tag_invalid":
        return ConfigError(
            f"設定 {setting}.kind の値 {entry['input'].get('kind')!r} は使えません。",
            file=path,
            place=_place(document, (*loc, "kind"), setting),
            hint=f"kind には {entry['ctx']['expected_tags']} の"
            "いずれかを書いてください。",
        )
    if kind == "union_tag_not_found":
        return ConfigError(
            f"設定 {setting} に kind がありません。",
            file=path,
            place=place,
            hint="データの種類を kind: ssdse-a のように書いてください。",
        )
    cause = entry.get("ctx", {}).get("error")
    hint = (
        cause.hint
        if isinstance(cause, SettingValueError)
        else "README の設定の説明とサンプルの databook.yml を確認してください。"
    )
    return ConfigError(
        f"設定 {setting} の値 {entry.get('input')!r} が正しくありません"
        f"（{describe_validation_error(entry)}）。",
        file=path,
        place=place,
        hint=hint,
        detail=f"pydantic: {entry['msg']}",
    )


def describe_validation_error(error: Any) -> str:
    """Return what a pydantic error entry expects, in Japanese."""
    kind = error["type"]
    ctx = error.get("ctx", {})
    descriptions = {
        "int_type": "整数を指定してください",
        "int_parsing": "整数を指定してください",
        "int_from_float": "整数を指定してください",
        "string_type": "文字列を指定してください",
        "bool_type": "true か false を指定してください",
        "bool_parsing": "true か false を指定してください",
        "list_type": "リスト（- で始まる行）を指定してください",
        "dict_type": "「名前: 値」の組を指定してください",
        "model_type": "「名前: 値」の組を指定してください",
        "float_type": "数を指定してください",
        "float_parsing": "数を指定してください",
        "too_short": "空にはできません",
        "string_too_short": "空にはできません",
        "string_pattern_mismatch": "形式が正しくありません",
        "greater_than_equal": f"{ctx.get('ge')} 以上を指定してください",
        "less_than_equal": f"{ctx.get('le')} 以下を指定してください",
        "literal_error": f"{_choices(ctx.get('expected', ''))} の"
        "いずれかを指定してください",
        "value_error": str(ctx.get("error", error["msg"])),
    }
    # pydantic's own message is English; --debug shows it as the detail.
    return descriptions.get(kind, "値の形式が正しくありません")


def _choices(expected: str) -> str:
    """Return pydantic's list "'both', 'western' or 'japanese'" in Japanese.

    The result is 「both、western、japanese」.
    """
    parts = re.split(r",\s*|\s+or\s+", expected)
    return "、".join(part.strip().strip("'\"") for part in parts if part.strip())


def _strip_union_tag(loc: tuple) -> tuple:
    """Drop the kind that pydantic puts after a dataset's name in an error location."""
    if len(loc) > 2 and loc[0] == "datasets" and loc[2] in DATASET_MODELS:
        return loc[:2] + loc[3:]
    return loc


def _allowed_keys(loc: tuple, data: Any) -> list[str]:
    """Return the setting names allowed at `loc` (the parent of an unknown key)."""
    model: Any = Config
    node = data
    for part in loc:
        node = node.get(part) if isinstance(node, dict) else None
        if model is Config and part == "datasets":
            model = "dataset map"
        elif model == "dataset map":
            kind = node.get("kind") if isinstance(node, dict) else None
            model = DATASET_MODELS.get(kind, SsdseDataset)
        elif model is Config and part == "chapters":
            model = "chapter list"
        elif model == "chapter list":
            model = Chapter
        elif model is Config and part == "output":
            model = Output
        elif model is Config and part == "quarto":
            model = QuartoSettings
    fields = getattr(model, "model_fields", {})
    return [name for name in fields if name != "root"]


def _place(document: Any, loc: tuple, setting: str) -> str:
    line = _line_of(document, loc)
    return f"{line}行目（設定 {setting}）" if line else f"設定 {setting}"


def _line_of(node: Any, loc: tuple) -> int | None:
    """Return the 1-based line of the YAML node at `loc`, or of its nearest parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line


def _missing_files(
    data: dict, root: Path, path: Path, document: Any
) -> list[LinedError]:
    """Return a ConfigError for each `file` or `files` entry that names no file.

    Reads the settings as written, so that missing files are reported along
    with invalid settings elsewhere in the file.
    """
    found: list[LinedError] = []
    places: list[tuple[tuple, Any]] = []
    datasets = data.get("datasets")
    if isinstance(datasets, dict):
        for name, dataset in datasets.items():
            if not isinstance(dataset, dict):
                continue
            places.append((("datasets", name, "file"), dataset.get("file")))
            files = dataset.get("files")
            if isinstance(files, list):
                for index, pattern in enumerate(files):
                    places.append((("datasets", name, "files", index), pattern))
    chapters = data.get("chapters")
    if isinstance(chapters, list):
        for index, chapter in enumerate(chapters):
            if isinstance(chapter, dict):
                places.append((("chapters", index, "file"), chapter.get("file")))

    for loc, value in places:
        if not isinstance(value, str) or not value.strip():
            continue
        pattern = value.strip()
        # A `file` setting is one path; only `files` entries may be patterns.
        exists = (
            bool(expand_in(root, pattern))
            if loc[-2] == "files"
            else (root / pattern).is_file()
        )
        if not exists:
            line = _line_of(document, loc) or 0
            found.append((line, _missing_file(pattern, loc, path, document)))
    return found


def _missing_file(relative: str, loc: tuple, path: Path, document: Any) -> ConfigError:
    setting = setting_name(loc)
    return ConfigError(
        f"ファイル {relative} が見つかりません（設定 {setting}）。",
        file=path,
        place=_place(document, loc, setting),
        hint="ファイルをその場所に置くか、パスを直してください"
        "（パスは databook.yml のあるフォルダからの相対パスです）。",
    )


def expand(config: Config, pattern: str) -> list[Path]:
    """Return the files a path or glob pattern names, sorted."""
    return expand_in(config.root, pattern)


def expand_in(root: Path, pattern: str) -> list[Path]:
    """Return the files a path or glob pattern names under `root`, sorted."""
    if glob.has_magic(pattern):
        return sorted(p for p in root.glob(pattern) if p.is_file())
    path = root / pattern
    return [path] if path.is_file() else []
