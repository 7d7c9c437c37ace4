"""A schematic tile map: one square per region, placed roughly where it lies, coloured by the
region's class label in a year.

Schematic on purpose: real outlines would need a map file the package does not ship (Plotly's
own geography is fetched from a CDN), and the 1946 regions (occupied zones, colonial India,
Indochina) are not today's countries anyway. Regions the table does not place are laid out in a
row below the others.
"""

from __future__ import annotations

import plotly.graph_objects as go

from sovsim.classify.criteria import REGION_LABELS

# (column, row) of each region of the built-in scenarios; row grows northward
TILES: dict[str, tuple[float, float]] = {
    "USA": (0, 3),
    "UK": (2, 4), "Netherlands": (3, 4), "Germany_East": (4, 4), "Poland": (5, 4),
    "USSR": (6.5, 3.5),
    "France": (2, 3), "Germany_West": (3, 3), "Czechoslovakia": (4, 3), "Hungary": (5, 3),
    "Italy": (3, 2), "Romania": (5, 2), "Bulgaria": (5, 1),
    "India": (6, 0.5), "Indochina": (7, 0.5), "Indonesia": (7.5, -0.5),
}
COLOURS: dict[str, str] = dict(zip(REGION_LABELS, (
    "#7b3294", "#c2a5cf", "#4393c3", "#d6604d", "#b2182b", "#f4a582", "#2166ac", "#1b7837",
    "#5aae61"), strict=False))
UNLABELLED = "#bdbdbd"
TILE = 0.92          # side of a tile, in grid units


def positions(regions: list[str]) -> dict[str, tuple[float, float]]:
    """Where each region's tile goes."""
    out, extra = {}, 0
    for name in regions:
        if name in TILES:
            out[name] = TILES[name]
        else:
            out[name] = (extra, -2)
            extra += 1
    return out


def tile_map(regions: list[str], labels: dict[str, str], year: int | str) -> go.Figure:
    """The tiles, each coloured by its label of `year` (grey where the region has none)."""
    pos = positions(regions)
    half = TILE / 2
    fig = go.Figure()
    shown = sorted({labels.get(r, "no label") for r in regions},
                   key=lambda s: (s not in COLOURS, s))
    for label in shown:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for r in (r for r in regions if labels.get(r, "no label") == label):
            x, y = pos[r]
            xs += [x - half, x + half, x + half, x - half, x - half, None]
            ys += [y - half, y - half, y + half, y + half, y - half, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", name=label,
                                 fillcolor=COLOURS.get(label, UNLABELLED),
                                 line={"color": "#333", "width": 1}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=[pos[r][0] for r in regions], y=[pos[r][1] for r in regions], mode="text",
        text=[r.replace("_", "<br>") for r in regions], textfont={"size": 11, "color": "#111"},
        hovertext=[f"{r}: {labels.get(r, 'no label')}" for r in regions], hoverinfo="text",
        showlegend=False))
    fig.update_layout(
        title=f"Class character of each region, {year} (schematic tile map)",
        xaxis={"visible": False, "range": [-0.7, 8.2]},
        yaxis={"visible": False, "range": [-2.7, 4.7], "scaleanchor": "x"},
        height=520, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.02}, plot_bgcolor="white")
    return fig
