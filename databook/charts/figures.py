"""Plotly figures from chart specifications, in one theme for screen and print.

Series colours are one blue hue at stepped lightness (CIE L* at least 15 apart),
so that series stay apart in greyscale print; line charts add markers and
dash styles on top of colour.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import plotly.graph_objects as go

from databook.model import ChartSpec

FONT_FAMILY = "BIZ UDPGothic, Noto Sans CJK JP, sans-serif"
SERIES_COLOURS = ("#08306B", "#6BAED6", "#2171B5", "#C6DBEF")
BAR_COLOUR = "#6BAED6"
HIGHLIGHT_COLOUR = "#08306B"
MARKERS = ("circle", "square", "diamond", "triangle-up")
DASHES = ("solid", "dash", "dot", "dashdot")

# Width of the text block of each paper size, which a chart fills when printed.
PAPER_TEXT_WIDTH_MM = {"A4": 170, "A5": 120}
CSS_PIXELS_PER_MM = 96 / 25.4
PRINT_HEIGHT = 340
RANKING_ROW_HEIGHT = 17
GROUPED_BAR_HEIGHT = 10
GROUP_GAP = 6
HORIZONTAL_KINDS = ("ranking_bar", "ratio_bar", "age_pyramid", "horizontal_bar")
"""Kinds drawn as horizontal bars, whose height grows with the rows."""
PRINT_CHART_MAX_MM = {"A4": 200, "A5": 140}
"""Tallest printed chart that leaves room on the page for its caption and 出典."""
RANKING_NEIGHBOURS = 3
"""Rows kept above and below the highlighted area when a printed ranking is cut."""
GAP_LABEL = "…"


def build_figure(
    spec: ChartSpec, *, for_print: bool = False, paper: str = "A4"
) -> go.Figure:
    """Draw a chart specification as a plotly figure.

    A printed ranking too long for the page is cut to its top and bottom
    rows and the highlighted area's neighbours (see `print_cut_note`).
    """
    if for_print and spec.kind == "ranking_bar":
        spec, _ = _fit_ranking(spec, paper)
    builders = {
        "line": _line,
        "bar": _bar,
        "grouped_bar": _grouped_bar,
        "stacked_bar": _stacked_bar,
        "ranking_bar": _ranking_bar,
        "age_pyramid": _age_pyramid,
        "ratio_bar": _ratio_bar,
        "horizontal_bar": _horizontal_bar,
    }
    figure = builders[spec.kind](spec)
    _apply_theme(figure, spec, for_print=for_print, paper=paper)
    return figure


def print_cut_note(spec: ChartSpec, paper: str = "A4") -> str | None:
    """Return the note that a printed chart shows only part of its rows, or None."""
    if spec.kind != "ranking_bar":
        return None
    return _fit_ranking(spec, paper)[1]


def print_size(spec: ChartSpec, paper: str = "A4") -> tuple[int, int]:
    """Return the print size in CSS pixels, with a row per bar for horizontal bars."""
    width = round(PAPER_TEXT_WIDTH_MM[paper] * CSS_PIXELS_PER_MM)
    if spec.kind == "ranking_bar":
        spec, _ = _fit_ranking(spec, paper)
    if spec.kind in HORIZONTAL_KINDS:
        return width, 90 + _bars_height(spec)
    return width, PRINT_HEIGHT if paper == "A4" else round(PRINT_HEIGHT * 0.85)


def web_height(spec: ChartSpec) -> int:
    """Return the chart height on the site in CSS pixels."""
    if spec.kind in HORIZONTAL_KINDS:
        return 120 + _bars_height(spec)
    return 420


def _bars_height(spec: ChartSpec) -> int:
    """Return the height in CSS pixels that the bars of a horizontal chart take.

    A ranking or a pyramid gets `RANKING_ROW_HEIGHT` per row. Grouped series
    get `GROUPED_BAR_HEIGHT` per bar and `GROUP_GAP` between categories, so
    that 18 industries with three series still fit a printed page.
    """
    if spec.kind == "ranking_bar":
        return RANKING_ROW_HEIGHT * len(spec.data)
    categories = spec.data["x"].nunique()
    if spec.kind == "age_pyramid":
        # Men and women share a class's row, on either side of zero.
        return RANKING_ROW_HEIGHT * categories
    series = spec.data["series"].nunique()
    return categories * (GROUPED_BAR_HEIGHT * series + GROUP_GAP)


def max_print_rows(paper: str) -> int:
    """Return how many bar rows fit in a printed chart at `RANKING_ROW_HEIGHT`."""
    tallest = PRINT_CHART_MAX_MM[paper] * CSS_PIXELS_PER_MM
    return int((tallest - 90) // RANKING_ROW_HEIGHT)


def _fit_ranking(spec: ChartSpec, paper: str) -> tuple[ChartSpec, str | None]:
    """Cut a ranking to the rows a printed page holds; return it and a note.

    The cut keeps as many top and bottom rows as fit beside the highlighted
    area and `RANKING_NEIGHBOURS` rows on each side of it, and marks each
    left-out run with a row labelled `GAP_LABEL`. The site and the data
    table keep every row.
    """
    data = spec.data.reset_index(drop=True)
    limit = max_print_rows(paper)
    if len(data) <= limit:
        return spec, None

    matches = data.index[data["x"] == spec.highlight]
    own = int(matches[0]) if len(matches) else None
    window = set()
    if own is not None:
        window = set(range(own - RANKING_NEIGHBOURS, own + RANKING_NEIGHBOURS + 1))
    gaps = 2 if window else 1
    edge = (limit - gaps - len(window)) // 2
    keep = set(range(edge)) | set(range(len(data) - edge, len(data))) | window
    positions = sorted(p for p in keep if 0 <= p < len(data))

    rows = []
    for previous, position in zip([-1, *positions], positions, strict=False):
        if position > previous + 1:
            rows.append(
                {**data.iloc[position].to_dict(), "x": GAP_LABEL, "value": None}
            )
        rows.append(data.iloc[position].to_dict())
    noun = spec.x_title or ""
    around = f"と{spec.highlight}の前後" if own is not None else ""
    note = (
        f"全{len(data)}{noun}のうち、上位{edge}・下位{edge}{around}を示します"
        f"（{GAP_LABEL}は省略。すべての値は表とサイトにあります）。"
    )
    return dataclasses.replace(spec, data=pd.DataFrame(rows)), note


def _series(spec: ChartSpec):
    for index, (name, rows) in enumerate(spec.data.groupby("series", sort=False)):
        yield index, name, rows


def _value_format(spec: ChartSpec) -> str:
    """Return the d3 format of hover values, with `ChartSpec.value_digits` decimals."""
    return f",.{spec.value_digits}f"


def _unit(spec: ChartSpec) -> str:
    return spec.data["unit"].iloc[0] if not spec.data.empty else ""


def _hover(spec: ChartSpec) -> str:
    value = f"%{{y:{_value_format(spec)}}}{_unit(spec)}"
    return f"%{{x}}<br>%{{fullData.name}}: {value}<extra></extra>"


def _line(spec: ChartSpec) -> go.Figure:
    figure = go.Figure()
    for index, name, rows in _series(spec):
        figure.add_trace(
            go.Scatter(
                x=rows["x"],
                y=rows["value"],
                name=name,
                mode="lines+markers",
                line={
                    "color": SERIES_COLOURS[index % len(SERIES_COLOURS)],
                    "dash": DASHES[index % len(DASHES)],
                    "width": 2.5,
                },
                marker={"symbol": MARKERS[index % len(MARKERS)], "size": 8},
                hovertemplate=_hover(spec),
            )
        )
    return figure


def _bar(spec: ChartSpec) -> go.Figure:
    colours = [
        HIGHLIGHT_COLOUR if x == spec.highlight else BAR_COLOUR for x in spec.data["x"]
    ]
    figure = go.Figure(
        go.Bar(
            x=spec.data["x"],
            y=spec.data["value"],
            name=spec.data["series"].iloc[0],
            marker={"color": colours},
            hovertemplate=_hover(spec),
        )
    )
    figure.update_layout(showlegend=False)
    return figure


def _ranking_bar(spec: ChartSpec) -> go.Figure:
    """Draw categories as horizontal bars, first row at the top.

    Rows sit at positions 0, 1, … labelled with the categories, because a cut
    ranking repeats the gap label, which a category axis would merge.
    """
    colours = [
        HIGHLIGHT_COLOUR if x == spec.highlight else BAR_COLOUR for x in spec.data["x"]
    ]
    value = f"%{{x:{_value_format(spec)}}}{_unit(spec)}"
    positions = list(range(len(spec.data)))
    figure = go.Figure(
        go.Bar(
            x=spec.data["value"],
            y=positions,
            orientation="h",
            name=spec.data["series"].iloc[0],
            marker={"color": colours},
            customdata=spec.data["x"],
            hovertemplate=f"%{{customdata}}: {value}<extra></extra>",
        )
    )
    figure.update_layout(showlegend=False)
    figure.update_yaxes(
        tickmode="array", tickvals=positions, ticktext=list(spec.data["x"])
    )
    return figure


def _age_pyramid(spec: ChartSpec) -> go.Figure:
    """Draw age classes as horizontal bars, the first category at the bottom.

    With two series (男, 女), the first is drawn to the left as negative values
    and the ticks print both sides as positive numbers. One series is drawn to
    the right. The two series differ in lightness, as in grouped bars.
    """
    figure = go.Figure()
    traces = list(_series(spec))
    two_sided = len(traces) == 2
    unit = spec.data["unit"].iloc[0]
    for index, name, rows in traces:
        sign = -1 if two_sided and index == 0 else 1
        colour = SERIES_COLOURS[index] if two_sided else BAR_COLOUR
        figure.add_trace(
            go.Bar(
                x=rows["value"] * sign,
                y=rows["x"],
                orientation="h",
                name=name,
                customdata=rows["value"],
                marker={"color": colour, "line": {"color": "#08306B", "width": 1}},
                hovertemplate=(
                    f"%{{y}}<br>%{{fullData.name}}: %{{customdata:,.0f}}{unit}"
                    "<extra></extra>"
                ),
            )
        )
    largest = spec.data["value"].abs().max()
    limit = largest * 1.05 if largest > 0 else 1
    ticks = _pyramid_ticks(largest, two_sided=two_sided)
    figure.update_layout(barmode="relative", bargap=0.1)
    figure.update_xaxes(
        range=[-limit if two_sided else 0, limit],
        tickvals=ticks,
        ticktext=[f"{abs(tick):,.0f}" for tick in ticks],
    )
    figure.update_yaxes(
        categoryorder="array", categoryarray=list(dict.fromkeys(spec.data["x"]))
    )
    return figure


def _pyramid_ticks(largest: float, *, two_sided: bool) -> list[float]:
    """Return round tick values, at most three a side, mirrored for two sides."""
    if not largest > 0:
        return [0]
    rough = largest / 3
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    right = [step * i for i in range(int(largest // step) + 1)]
    left = [-tick for tick in reversed(right[1:])] if two_sided else []
    return left + right


def _ratio_bar(spec: ChartSpec) -> go.Figure:
    """Draw ratios as horizontal grouped bars on a log axis, each from 1 outward.

    A bar points right of the line at 1 for a ratio above 1 and left for one
    below, and 2 and 0.5 lie equally far from it. A ratio of 0 has no place on
    a log axis, so it is not drawn (the data table still lists it).
    """
    figure = go.Figure()
    value = f"%{{customdata:{_value_format(spec)}}}{_unit(spec)}"
    for index, name, rows in _series(spec):
        drawn = rows["value"].where(rows["value"] > 0)
        figure.add_trace(
            go.Bar(
                x=drawn - 1,
                base=1,
                y=rows["x"],
                orientation="h",
                name=name,
                customdata=drawn,
                marker={
                    "color": SERIES_COLOURS[index % len(SERIES_COLOURS)],
                    "line": {"color": "#08306B", "width": 1},
                },
                hovertemplate=f"%{{y}}<br>%{{fullData.name}}: {value}<extra></extra>",
            )
        )
    figure.update_layout(barmode="group")
    figure.add_vline(x=1, line={"color": "#222", "width": 1.5})
    return figure


def _horizontal_bar(spec: ChartSpec) -> go.Figure:
    """Draw series side by side as horizontal bars, the first category at the top.

    For categories with long names (産業大分類), which read across instead
    of standing on end below a vertical chart.
    """
    figure = go.Figure()
    value = f"%{{x:{_value_format(spec)}}}{_unit(spec)}"
    for index, name, rows in _series(spec):
        figure.add_trace(
            go.Bar(
                x=rows["value"],
                y=rows["x"],
                orientation="h",
                name=name,
                marker={
                    "color": SERIES_COLOURS[index % len(SERIES_COLOURS)],
                    "line": {"color": "#08306B", "width": 1},
                },
                hovertemplate=f"%{{y}}<br>%{{fullData.name}}: {value}<extra></extra>",
            )
        )
    figure.update_layout(barmode="group")
    return figure


def _grouped_bar(spec: ChartSpec) -> go.Figure:
    figure = go.Figure()
    for index, name, rows in _series(spec):
        figure.add_trace(
            go.Bar(
                x=rows["x"],
                y=rows["value"],
                name=name,
                marker={
                    "color": SERIES_COLOURS[index % len(SERIES_COLOURS)],
                    "line": {"color": "#08306B", "width": 1},
                },
                hovertemplate=_hover(spec),
            )
        )
    figure.update_layout(barmode="group")
    return figure


def _stacked_bar(spec: ChartSpec) -> go.Figure:
    figure = _grouped_bar(spec)
    figure.update_layout(barmode="stack")
    return figure


def _apply_theme(
    figure: go.Figure, spec: ChartSpec, *, for_print: bool, paper: str
) -> None:
    figure.update_layout(
        font={"family": FONT_FAMILY, "size": 13 if for_print else 14, "color": "#222"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 70, "r": 20, "t": 20, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        # Dark text on white: the default takes the trace colour as background.
        hoverlabel={
            "font": {"family": FONT_FAMILY, "color": "#222"},
            "bgcolor": "white",
            "bordercolor": HIGHLIGHT_COLOUR,
        },
        separators=".,",
    )
    category_axis = {
        "title_text": spec.x_title or None,
        "showline": True,
        "linecolor": "#444",
        "ticks": "outside",
        "type": "category",
    }
    value_axis = {
        "title_text": spec.y_title,
        "gridcolor": "#ddd",
        "zeroline": True,
        "zerolinecolor": "#444",
        "tickformat": ",",
        "rangemode": "tozero",
    }
    if spec.kind == "ranking_bar":
        # Positions, not categories: see _ranking_bar.
        position_axis = {**category_axis, "type": "linear", "showgrid": False}
        figure.update_yaxes(**position_axis, autorange="reversed", zeroline=False)
        figure.update_xaxes(**value_axis, side="top")
        figure.update_layout(margin={"l": 90, "t": 60, "b": 20})
    elif spec.kind == "age_pyramid":
        figure.update_yaxes(**category_axis)
        figure.update_xaxes(**value_axis)
        figure.update_layout(margin={"l": 90})
    elif spec.kind == "horizontal_bar":
        figure.update_yaxes(**category_axis, autorange="reversed")
        figure.update_xaxes(**value_axis)
        figure.update_layout(margin={"l": 90, "t": 40})
    elif spec.kind == "ratio_bar":
        figure.update_yaxes(**category_axis, autorange="reversed")
        # A log axis has no zero to start from or to draw.
        log_axis = {**value_axis, "type": "log", "zeroline": False}
        log_axis.pop("rangemode")
        figure.update_xaxes(**log_axis)
        figure.update_layout(margin={"l": 90, "t": 40})
    else:
        figure.update_xaxes(**category_axis)
        figure.update_yaxes(**value_axis)
    if for_print:
        width, height = print_size(spec, paper)
        figure.update_layout(width=width, height=height)
    else:
        # Only the height is fixed: the width follows the page.
        figure.update_layout(height=web_height(spec))
