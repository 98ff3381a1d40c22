"""The index page of a batch: every municipality's book and key indicators."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from databook.publish.book import templates

logger = logging.getLogger(__name__)

COLUMNS = (
    ("population.total", "総人口"),
    ("population.change_rate", "人口増減率（前回国勢調査比）"),
    ("population.ageing_rate", "高齢化率"),
    ("population_change.natural_rate", "自然増減（人口千人当たり）"),
    ("population_change.social_rate", "社会増減（人口千人当たり）"),
)
"""Indicators compared on the page: key figure name and column heading."""


def write_index(path: Path, prefecture: str, outcomes) -> Path:
    """Write the batch's index.html: one row per municipality, failures listed."""
    rows = []
    for outcome in outcomes:
        book = Path(outcome.folder) / "build"
        rows.append(
            {
                "outcome": outcome,
                "site": f"{outcome.folder}/build/site/index.html",
                "pdf": f"{outcome.folder}/build/databook.pdf",
                "has_site": (path.parent / book / "site" / "index.html").is_file(),
                "has_pdf": (path.parent / book / "databook.pdf").is_file(),
                "cells": [outcome.figures.get(key, "") for key, _ in COLUMNS],
            }
        )
    today = date.today()
    html = (
        templates()
        .get_template("batch_index.html")
        .render(
            prefecture=prefecture,
            headings=[heading for _, heading in COLUMNS],
            rows=rows,
            failures=[outcome for outcome in outcomes if not outcome.ok],
            built_on=f"{today.year}年{today.month}月{today.day}日",
        )
    )
    path.write_text(html, encoding="utf-8")
    logger.info("書き出し: %s（%d 市町村）", path, len(rows))
    return path
