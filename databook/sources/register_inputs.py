"""Loading the resident-register dataset kinds from their databook.yml settings.

Each function returns the Dataset and what was read from each file, so that
`databook build` and `databook check` share one reading path.
"""

from __future__ import annotations

from databook.config import (
    Config,
    JukiDataset,
    RegisterRecordsDataset,
    RegisterTableDataset,
    expand,
)
from databook.errors import ConfigError
from databook.master import configured_master
from databook.model import Dataset
from databook.sources.codes import normalize_area_code
from databook.sources.juki import LABELS as JUKI_LABELS
from databook.sources.juki import load_juki
from databook.sources.records import load_register_records
from databook.sources.register import LABELS as TABLE_LABELS
from databook.sources.register import Layout, column_number, load_register_table
from databook.sources.report import ReadReport


def load_juki_dataset(
    settings: JukiDataset, config: Config
) -> tuple[Dataset, list[ReadReport]]:
    paths = [path for pattern in settings.files for path in expand(config, pattern)]
    dataset, tables = load_juki(paths, project_root=config.root)
    reports = []
    for table in tables:
        reports.append(
            ReadReport(
                file=table.file,
                kind="juki",
                rows=len(table.frame),
                periods=sorted(table.frame["period"].unique()),
                skipped=table.skipped,
                notes=[
                    f"{table.frame['area_code'].nunique()} 団体、"
                    f"項目: {'、'.join(JUKI_LABELS[name] for name in table.indicators)}"
                ],
            )
        )
    return dataset, reports


def load_table_dataset(
    settings: RegisterTableDataset, config: Config
) -> tuple[Dataset, list[ReadReport]]:
    dataset, report = load_register_table(
        config.path(settings.file),
        display_path=settings.file,
        area_code=normalize_area_code(config.municipality),
        area_name="",
        sheet_name=settings.sheet,
        layout=_layout(settings),
        period=settings.period,
        title=settings.title,
    )
    return dataset, [report]


def _layout(settings: RegisterTableDataset) -> Layout:
    columns = {}
    for indicator, letters in (settings.columns or {}).items():
        if indicator not in TABLE_LABELS:
            raise ConfigError(
                f"columns の項目 {indicator} は使えません。",
                place="設定 columns",
                hint=f"次のいずれかを指定してください: {', '.join(TABLE_LABELS)}",
            )
        try:
            columns[indicator] = column_number(letters)
        except ValueError:
            raise ConfigError(
                f"columns.{indicator} の列 {letters!r} が列の記号（A、B、…）では"
                "ありません。",
                place="設定 columns",
                hint="Excel の列の記号（例: F）で書いてください。",
            ) from None
    label_column = None
    if settings.label_column:
        try:
            label_column = column_number(settings.label_column)
        except ValueError:
            raise ConfigError(
                f"label_column {settings.label_column!r} が列の記号ではありません。",
                place="設定 label_column",
                hint="Excel の列の記号（例: A）で書いてください。",
            ) from None
    return Layout(tuple(settings.header_rows or ()), label_column, columns)


def load_records_dataset(
    settings: RegisterRecordsDataset, config: Config
) -> tuple[Dataset, list[ReadReport]]:
    dataset, report = load_register_records(
        config.path(settings.file),
        display_path=settings.file,
        area_code=normalize_area_code(config.municipality),
        area_name="",
        master=configured_master(config),
        columns=settings.columns,
        sheet_name=settings.sheet,
        header_row=settings.header_row,
        threshold=settings.threshold,
        title=settings.title,
    )
    return dataset, [report]
