"""`databook check`: read every input and report what was read, without building.

For each dataset in databook.yml the report lists, per file, the rows read,
the periods and districts found, and what was skipped and why. The register
kinds report from their readers; other kinds are summarised from the Dataset
their loader returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from databook.config import Config, MunicipalitiesDataset
from databook.formatting import format_date_short, format_period_short
from databook.inputs import LOADERS
from databook.model import Dataset
from databook.sources.codes import load_master
from databook.sources.register_inputs import (
    load_juki_dataset,
    load_records_dataset,
    load_table_dataset,
)
from databook.sources.report import ReadReport

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

REPORTERS: dict[str, Callable[..., tuple[Dataset, list[ReadReport]]]] = {
    "juki": load_juki_dataset,
    "register-table": load_table_dataset,
    "register-records": load_records_dataset,
}


def check_inputs(config: Config) -> list[tuple[str, list[ReadReport]]]:
    """Read every dataset and return (dataset name, reports) in the order declared.

    Raises the first DatabookError met, like a build would.
    """
    results = []
    for name, settings in config.datasets.items():
        if isinstance(settings, MunicipalitiesDataset):
            master = load_master(config.path(settings.file), display_path=settings.file)
            report = ReadReport(
                settings.file, settings.kind, rows=len(master.municipalities)
            )
            results.append((name, [report]))
            continue
        reporter = REPORTERS.get(settings.kind)
        if reporter is not None:
            _, reports = reporter(settings, config)
        else:
            dataset = LOADERS[settings.kind](settings, config)
            reports = [_summary(settings.kind, dataset)]
        results.append((name, reports))
    return results


def _summary(kind: str, dataset: Dataset) -> ReadReport:
    files = sorted({source.file for source in dataset.provenance.values()})
    frame = dataset.frame
    return ReadReport(
        file="、".join(files),
        kind=kind,
        rows=len(frame),
        periods=sorted(frame["period"].unique()),
        notes=[
            f"{frame['area_code'].nunique()} 団体、{frame['indicator'].nunique()} 項目"
        ],
    )


def format_report(name: str, report: ReadReport) -> list[str]:
    """Return the lines `databook check` prints for one file, in Japanese."""
    lines = [f"{name}（{report.kind}）: {report.file}"]
    lines.append(f"  読み込んだ値: {report.rows:,} 件")
    if report.periods:
        shown = _range(report.periods)
        lines.append(f"  期間: {shown}（{len(report.periods)} 期間）")
    if report.districts:
        lines.append(
            f"  地区: {len(report.districts)}（{'、'.join(report.districts[:10])}"
            f"{' ほか' if len(report.districts) > 10 else ''}）"
        )
    lines.extend(f"  {note}" for note in report.notes)
    if report.skipped:
        lines.append(f"  読み飛ばし: {len(report.skipped)} 件")
        lines.extend(f"    - {reason}" for reason in report.skipped)
    else:
        lines.append("  読み飛ばし: なし")
    return lines


def _range(periods: list[str]) -> str:
    labels = [_period_label(period) for period in periods]
    if len(labels) <= 4:
        return "、".join(labels)
    return f"{labels[0]}～{labels[-1]}"


def _period_label(period: str) -> str:
    """Format a tidy period as staff read it: 2016年1月1日, 2022年度, 2020年."""
    if DATE.fullmatch(period):
        return format_date_short(period)
    return format_period_short(period)
