"""Plotly figures from chart specifications, in one theme for screen and print.

Series colours are one blue hue at stepped lightness (CIE L* at least 15 apart),
so that series stay apart in greyscale print; line charts add markers and
dash styles on top of colour.
"""

from __future__ import annotations

import math

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
HORIZONTAL_KINDS = ("ranking_bar", "ratio_bar", "age_pyramid")
"""Kinds drawn as horizontal bars, whose height grows with the rows."""


def build_figure(
    spec: ChartSpec, *, for_print: bool = False, paper: str = "A4"
) -> go.Figure:
    """Draw a chart specification as a plotly figure."""
    builders = {
        "line": _line,
        "bar": _bar,
        "grouped_bar": _grouped_bar,
        "stacked_bar": _stacked_bar,
        "ranking_bar": _ranking_bar,
        "age_pyramid": _age_pyramid,
        "ratio_bar": _ratio_bar,
    }
    figure = builders[spec.kind](spec)
    _apply_theme(figure, spec, for_print=for_print, paper=paper)
    return figure


def print_size(spec: ChartSpec, paper: str = "A4") -> tuple[int, int]:
    """Return the print size in CSS pixels, with a row per bar for horizontal bars."""
    width = round(PAPER_TEXT_WIDTH_MM[paper] * CSS_PIXELS_PER_MM)
    if spec.kind in HORIZONTAL_KINDS:
        return width, 90 + RANKING_ROW_HEIGHT * _bar_rows(spec)
    return width, PRINT_HEIGHT if paper == "A4" else round(PRINT_HEIGHT * 0.85)


def web_height(spec: ChartSpec) -> int:
    """Return the chart height on the site in CSS pixels."""
    if spec.kind in HORIZONTAL_KINDS:
        return 120 + RANKING_ROW_HEIGHT * _bar_rows(spec)
    return 420


def _bar_rows(spec: ChartSpec) -> int:
    """Return the rows of bars: grouped series stand in rows of their own."""
    categories = spec.data["x"].nunique()
    if spec.kind == "age_pyramid":
        # Men and women share a class's row, on either side of zero.
        return categories
    return categories * spec.data["series"].nunique()


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
    """Draw categories as horizontal bars, first row at the top."""
    colours = [
        HIGHLIGHT_COLOUR if x == spec.highlight else BAR_COLOUR for x in spec.data["x"]
    ]
    value = f"%{{x:{_value_format(spec)}}}{_unit(spec)}"
    figure = go.Figure(
        go.Bar(
            x=spec.data["value"],
            y=spec.data["x"],
            orientation="h",
            name=spec.data["series"].iloc[0],
            marker={"color": colours},
            hovertemplate=f"%{{y}}: {value}<extra></extra>",
        )
    )
    figure.update_layout(showlegend=False)
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
        hoverlabel={"font": {"family": FONT_FAMILY}},
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
        figure.update_yaxes(**category_axis, autorange="reversed")
        figure.update_xaxes(**value_axis, side="top")
        figure.update_layout(margin={"l": 90, "t": 60, "b": 20})
    elif spec.kind == "age_pyramid":
        figure.update_yaxes(**category_axis)
        figure.update_xaxes(**value_axis)
        figure.update_layout(margin={"l": 90})
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
