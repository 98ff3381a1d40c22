"""Loading the datasets that databook.yml declares, by kind.

Each dataset kind has one loader here. A loader takes the dataset's settings
and the project configuration and returns a tidy Dataset; several datasets of
one kind are joined. The municipality master is not a Dataset but the lookup
that turns the configured code into the book's area.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from databook.config import (
    CONFIG_NAME,
    CensusSeriesDataset,
    Config,
    EstatDataset,
    FindingsDataset,
    JukiDataset,
    MunicipalitiesDataset,
    RegisterRecordsDataset,
    RegisterTableDataset,
    ResasDataset,
    SsdseDataset,
    TableDataset,
    expand,
    setting_place,
)
from databook.errors import ConfigError, DatabookError, DatabookErrorGroup
from databook.master import configured_master
from databook.model import Dataset, concat
from databook.sources.census_series import load_census_series
from databook.sources.codes import (
    MunicipalityMaster,
    normalize_area_code,
    reject_ward,
)
from databook.sources.findings import load_findings
from databook.sources.register_inputs import (
    load_juki_dataset,
    load_records_dataset,
    load_table_dataset,
)
from databook.sources.resas import load_resas
from databook.sources.ssdse import load_ssdse
from databook.sources.tables import load_table

DATASET_KIND_NAMES = {
    "municipalities": "団体コード一覧",
    "ssdse-a": "SSDSE-A",
    "estat": "e-Stat API",
    "census-series": "国勢調査人口の時系列",
    "resas": "RESAS",
    "table": "表（Excel・CSV）",
    "findings": "公表された調査結果",
    "juki": "住民基本台帳に基づく人口（総務省）",
    "register-table": "住民基本台帳の集計表",
    "register-records": "住民基本台帳の異動届出（個票）",
}


def _load_ssdse(settings: SsdseDataset, config: Config) -> Dataset:
    paths = [path for pattern in settings.files for path in expand(config, pattern)]
    return load_ssdse(paths, items=settings.items, project_root=config.root)


def _load_estat(settings: EstatDataset, config: Config) -> Dataset:
    from databook.fetch import load_estat

    name = next(n for n, s in config.datasets.items() if s is settings)
    return load_estat(settings, config, name=name)


def _load_resas(settings: ResasDataset, config: Config) -> Dataset:
    return load_resas(settings, config, configured_master(config))


def _load_table(settings: TableDataset, config: Config) -> Dataset:
    paths = [path for pattern in settings.files for path in expand(config, pattern)]
    return load_table(settings, paths, config.root, configured_master(config))


def _load_findings(settings: FindingsDataset, config: Config) -> Dataset:
    return load_findings(config.path(settings.file), display_path=settings.file)


def _load_juki(settings: JukiDataset, config: Config) -> Dataset:
    return load_juki_dataset(settings, config)[0]


def _load_register_table(settings: RegisterTableDataset, config: Config) -> Dataset:
    return load_table_dataset(settings, config)[0]


def _load_register_records(settings: RegisterRecordsDataset, config: Config) -> Dataset:
    return load_records_dataset(settings, config)[0]


def _load_census_series(settings: CensusSeriesDataset, config: Config) -> Dataset:
    return load_census_series(
        config.path(settings.file),
        prefecture=settings.prefecture,
        master=configured_master(config),
        preliminary=settings.preliminary,
        display_path=settings.file,
    )


SETTING_PLACE = re.compile(r"設定 ([A-Za-z_]\w*)")
"""A loader's place that names a setting of its dataset: 設定 data_rows."""


def locate_in_dataset(error: DatabookError, config: Config, name: str) -> None:
    """Make a loader's error name the dataset, and databook.yml when it is about it.

    Loaders know a dataset's settings but not its name, so they write places
    such as 「設定 data_rows」. Those become 「設定 datasets.fishery.data_rows」,
    and an error without a file of its own points at the line in databook.yml.
    """
    for single in error.errors if isinstance(error, DatabookErrorGroup) else [error]:
        match = SETTING_PLACE.search(single.place or "")
        if single.file is None:
            single.file = CONFIG_NAME
            loc = ("datasets", name)
            if match and match.group(1) != "datasets":
                loc = (*loc, match.group(1))
            single.place = setting_place(config, loc)
        elif match and match.group(1) != "datasets":
            single.place = (
                f"{single.place[: match.start(1)]}datasets.{name}."
                f"{single.place[match.start(1) :]}"
            )


def _located(loader: Callable[[Any, Config], Dataset]) -> Callable:
    """Wrap a loader so that its errors name the dataset (locate_in_dataset)."""

    @wraps(loader)
    def load(settings: Any, config: Config) -> Dataset:
        try:
            return loader(settings, config)
        except DatabookError as error:
            name = next(n for n, s in config.datasets.items() if s is settings)
            locate_in_dataset(error, config, name)
            raise

    return load


LOADERS: dict[str, Callable] = {
    kind: _located(loader)
    for kind, loader in {
        "ssdse-a": _load_ssdse,
        "estat": _load_estat,
        "census-series": _load_census_series,
        "resas": _load_resas,
        "table": _load_table,
        "findings": _load_findings,
        "juki": _load_juki,
        "register-table": _load_register_table,
        "register-records": _load_register_records,
    }.items()
}


@dataclass
class Inputs:
    """The datasets of one build, by kind."""

    master: MunicipalityMaster
    datasets: dict[str, Dataset] = field(default_factory=dict)
    config_file: str = CONFIG_NAME

    def get(self, kind: str) -> Dataset | None:
        return self.datasets.get(kind)

    def require(self, kind: str, *, needed_by: str) -> Dataset:
        """Return the dataset of `kind`, or explain which setting is missing."""
        dataset = self.datasets.get(kind)
        if dataset is None:
            name = DATASET_KIND_NAMES.get(kind, kind)
            raise ConfigError(
                f"分析 {needed_by} に必要な{name}のデータ"
                f"（kind: {kind}）がありません。",
                file=self.config_file,
                place="設定 datasets",
                hint=f"datasets に kind: {kind} のデータを書き足してください"
                "（README の設定の説明を参照）。",
            )
        return dataset


def load_inputs(config: Config) -> Inputs:
    """Read every dataset that databook.yml declares.

    The master list is read first, so that a municipality missing from it,
    or a ward of a 政令市, is reported before the other files are read.
    """
    master = configured_master(config)
    check_municipality(config, master)

    loaded: dict[str, list[Dataset]] = {}
    for settings in config.datasets.values():
        if isinstance(settings, MunicipalitiesDataset):
            continue
        loaded.setdefault(settings.kind, []).append(
            LOADERS[settings.kind](settings, config)
        )
    datasets = {kind: concat(parts) for kind, parts in loaded.items()}
    return Inputs(master, datasets)


def check_municipality(config: Config, master: MunicipalityMaster) -> None:
    """Raise ConfigError unless `municipality` names a municipality of the master.

    A ward of a 政令市 is named as such, with the code of its city.
    """
    code = normalize_area_code(config.municipality)
    municipality = master.get(code)
    place = setting_place(config, ("municipality",))
    if municipality is None:
        raise ConfigError(
            f"地域コード {code} の市区町村が団体コード一覧にありません。",
            file=CONFIG_NAME,
            place=place,
            hint="5桁の地域コードを確かめてください（例: 真鶴町は 14383）。"
            "コードは団体コード一覧（localgovjp-utf8.csv）の lgcode の"
            "先頭5桁です。",
        )
    if municipality.is_ward:
        reject_ward(
            municipality,
            master,
            query=f"地域コード {config.municipality}",
            place=place,
            file=CONFIG_NAME,
        )
