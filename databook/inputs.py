"""Loading the datasets that databook.yml declares, by kind.

Each dataset kind has one loader here. A loader takes the dataset's settings
and the project configuration and returns a tidy Dataset; several datasets of
one kind are joined. The municipality master is not a Dataset but the lookup
that turns the configured code into the book's area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
)
from databook.errors import ConfigError
from databook.model import Dataset, concat
from databook.sources.census_series import load_census_series
from databook.sources.codes import MunicipalityMaster, configured_master, load_master
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


LOADERS: dict[str, Callable] = {
    "ssdse-a": _load_ssdse,
    "estat": _load_estat,
    "census-series": _load_census_series,
    "resas": _load_resas,
    "table": _load_table,
    "findings": _load_findings,
    "juki": _load_juki,
    "register-table": _load_register_table,
    "register-records": _load_register_records,
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
    """Read every dataset that databook.yml declares."""
    master = None
    loaded: dict[str, list[Dataset]] = {}
    for settings in config.datasets.values():
        if isinstance(settings, MunicipalitiesDataset):
            master = load_master(config.path(settings.file), display_path=settings.file)
            continue
        loaded.setdefault(settings.kind, []).append(
            LOADERS[settings.kind](settings, config)
        )

    if master is None:
        raise ConfigError(
            "団体コード一覧（kind: municipalities）のデータがありません。",
            file=CONFIG_NAME,
            place="設定 datasets",
            hint="datasets に kind: municipalities と file: を書き足してください。",
        )
    datasets = {kind: concat(parts) for kind, parts in loaded.items()}
    return Inputs(master, datasets)
