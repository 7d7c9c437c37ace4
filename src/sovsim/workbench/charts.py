"""The workbench's figures, drawn from (months x regions) series of a live run or a run folder."""

from __future__ import annotations

from functools import cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sovsim.authorities.course import REVERSAL_SWING, count_reversals, soviet_turns
from sovsim.world.build import date_of

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#ff7f0e", "#393b79", "#637939", "#8c6d31", "#843c39",
           "#7b4173", "#3182bd")
# the live charts: (variable, title, unit, log axis); action is drawn per 1,000 people
LIVE: tuple[tuple[str, str, str, bool], ...] = (
    ("output_per_capita", "Output per head", "1990 GK$/person/year", True),
    ("collective_share", "Collective share of capital", "share", False),
    ("active_left", "In left action", "per 1,000 people", False),
    ("active_right", "In right action", "per 1,000 people", False),
)
REGION_PANELS: tuple[tuple[str, str], ...] = (
    ("output_per_capita", "Output per head (1990 GK$), Maddison 2010 dotted"),
    ("collective_share", "Collective share of capital"),
    ("wage_share", "Wage share"),
    ("action", "Share in action, left and right (per 1,000)"),
    ("jailed", "Jailed (persons)"),
    ("population", "Population (persons)"),
)
PER_THOUSAND = ("active_left", "active_right")


# The live charts are plain figure dicts: building plotly.graph_objects validates every
# property and takes about a second for these five charts on this project's machine, far too
# slow for charts redrawn several times a second; Dash sends a dict as it is.
MARGIN = {"l": 50, "r": 10, "t": 40, "b": 30}


def _empty(title: str, note: str) -> dict:
    return {"data": [], "layout": {
        "title": {"text": title}, "height": 300, "margin": MARGIN,
        "annotations": [{"text": note, "showarrow": False, "xref": "paper", "yref": "paper",
                         "x": 0.5, "y": 0.5}],
        "xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def _series(var: str, rv: dict[str, np.ndarray]) -> np.ndarray | None:
    if var not in rv:
        return None
    if var in PER_THOUSAND and "population" in rv:
        pop = rv["population"]
        return np.divide(rv[var] * 1000.0, pop, out=np.full_like(pop, np.nan), where=pop > 0)
    return rv[var]


def _list(values: np.ndarray) -> np.ndarray:
    """Numbers for JSON as an array (Plotly's encoder writes a whole array at once, nan as
    null: a gap in the line), which is many times faster than a list of floats."""
    return np.ascontiguousarray(values, dtype=float)


def live_charts(regions: list[str], dates: list[str] | np.ndarray,
                rv: dict[str, np.ndarray], upto: int) -> list[dict]:
    """One chart per LIVE variable, one trace per region, months 0..upto."""
    figs = []
    x = np.asarray(dates[:upto]).astype(str)
    for var, title, unit, log in LIVE:
        arr = _series(var, rv)
        if arr is None or upto == 0:
            figs.append(_empty(title, "waiting for the first months"))
            continue
        traces = [{"type": "scatter", "x": x, "y": _list(arr[:upto, r]), "name": name,
                   "mode": "lines", "line": {"width": 1.5, "color": PALETTE[r % len(PALETTE)]}}
                  for r, name in enumerate(regions)]
        layout = {"title": {"text": f"{title} ({unit})"}, "height": 320, "uirevision": var,
                  "margin": MARGIN, "xaxis": {"range": [str(dates[0]), str(dates[-1])]},
                  "legend": {"font": {"size": 9}}}
        if log:
            layout["yaxis"] = {"type": "log"}
        figs.append({"data": traces, "layout": layout})
    return figs


def course_chart(regions: list[str], dates: list[str] | np.ndarray, rv: dict[str, np.ndarray],
                 world: dict[str, np.ndarray], upto: int | None = None) -> dict:
    """The USSR's course (or the first region's) with its reversals, the dated turns of
    1917-1953 it can be held against, and the world's prestige D."""
    upto = len(dates) if upto is None else upto
    if "course" not in rv or upto == 0:
        return _empty("Course", "no course recorded yet")
    r = regions.index("USSR") if "USSR" in regions else 0
    x = np.asarray(dates[:upto]).astype(str)
    course = rv["course"][:upto, r]
    traces: list[dict] = [{"type": "scatter", "x": x, "y": _list(course),
                           "name": f"course of {regions[r]}", "mode": "lines",
                           "line": {"color": "#b2182b"}}]
    ok = ~np.isnan(course)
    if ok.sum() > 2:
        idx, direction = count_reversals(course[ok], REVERSAL_SWING)
        where = np.flatnonzero(ok)[idx]
        traces.append({
            "type": "scatter", "x": x[where], "y": _list(course[where]),
            "mode": "markers", "name": f"reversals ({len(where)}, swing >= {REVERSAL_SWING})",
            "marker": {"symbol": ["triangle-up" if d > 0 else "triangle-down"
                                  for d in direction], "size": 10, "color": "#333"}})
    if "prestige" in world:
        traces.append({"type": "scatter", "x": x, "y": _list(world["prestige"][:upto]),
                       "name": "prestige D (world)", "mode": "lines",
                       "line": {"color": "#2166ac", "dash": "dot"}})
    first, last = str(dates[0]), str(dates[-1])
    turns = [t for t in soviet_turns() if first <= date_of(t.month) <= last]
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": date_of(t.month),
               "x1": date_of(t.month), "y0": 0, "y1": 1,
               "line": {"width": 1, "dash": "dash",
                        "color": "#1b7837" if t.direction > 0 else "#d6604d"}} for t in turns]
    if turns:
        traces.append({
            "type": "scatter", "x": [date_of(t.month) for t in turns], "y": [1.05] * len(turns),
            "mode": "markers", "name": "dated turns 1917-1953 (green: toward state control)",
            "text": [f"{t.event_id} {t.event}" for t in turns], "hoverinfo": "text+x",
            "marker": {"symbol": "line-ns-open", "size": 12, "color": "#1b7837"}})
    return {"data": traces, "layout": {
        "title": {"text": "Course (-1 concessions, +1 crackdown), reversals and turns"},
        "height": 340, "yaxis": {"range": [-1.1, 1.15]}, "uirevision": "course",
        "margin": MARGIN, "xaxis": {"range": [first, last]}, "shapes": shapes}}


@cache
def _maddison() -> dict[str, dict[int, float]]:
    from sovsim.calibration.data import WORLD1946_BLOCS, maddison2010

    data = maddison2010()
    return {region: data.get(code, {}) for bloc in WORLD1946_BLOCS
            for region, code in zip(bloc.regions, bloc.codes, strict=True)}


def region_charts(region: str, regions: list[str], dates: np.ndarray,
                  rv: dict[str, np.ndarray]) -> go.Figure:
    """A region's course through the run: six panels, output per head against Maddison."""
    r = regions.index(region)
    fig = make_subplots(rows=2, cols=3, subplot_titles=[t for _, t in REGION_PANELS],
                        vertical_spacing=0.14)
    x = list(dates)
    for i, (var, _) in enumerate(REGION_PANELS):
        row, col = i // 3 + 1, i % 3 + 1
        if var == "action":
            for side, colour in (("active_left", "#b2182b"), ("active_right", "#2166ac")):
                arr = _series(side, rv)
                if arr is not None:
                    fig.add_trace(go.Scatter(x=x, y=arr[:, r], name=side.replace("_", " "),
                                             line={"color": colour}), row=row, col=col)
            continue
        if var not in rv:
            continue
        fig.add_trace(go.Scatter(x=x, y=rv[var][:, r], name=var.replace("_", " "),
                                 line={"color": "#333"}), row=row, col=col)
        if var == "output_per_capita":
            series = _maddison().get(region, {})
            years = [y for y in sorted(series) if str(dates[0])[:4] <= str(y) <= str(dates[-1])]
            if years:
                fig.add_trace(go.Scatter(x=[f"{y}-07" for y in years],
                                         y=[series[y] for y in years], name="Maddison 2010",
                                         mode="lines+markers", marker={"size": 4},
                                         line={"dash": "dot", "color": "#d6604d"}),
                              row=row, col=col)
            fig.update_yaxes(type="log", row=row, col=col)
    fig.update_layout(height=620, title=f"{region.replace('_', ' ')}",
                      margin={"l": 50, "r": 10, "t": 70, "b": 30}, legend={"font": {"size": 9}})
    return fig


def class_chart(region: str, regions: list[str], dates: np.ndarray, classes: list[str],
                counts: np.ndarray | None) -> go.Figure | dict:
    """The region's class structure: each class's share of the living, stacked."""
    if counts is None or not classes:
        return _empty("Class structure", "this run folder has no class table")
    r = regions.index(region)
    total = np.nansum(counts[:, r, :], axis=1)
    fig = go.Figure()
    for k, name in enumerate(classes):
        share = np.divide(counts[:, r, k], total, out=np.full_like(total, np.nan),
                          where=total > 0)
        fig.add_trace(go.Scatter(x=list(dates), y=share, name=name, stackgroup="classes",
                                 mode="lines", line={"width": 0.5,
                                                     "color": PALETTE[k % len(PALETTE)]}))
    fig.update_layout(title=f"Class structure of {region.replace('_', ' ')} (share of the "
                            "living)", height=340, yaxis={"range": [0, 1]},
                      margin={"l": 50, "r": 10, "t": 40, "b": 30})
    return fig


def compare_chart(var: str, a: tuple[str, list[str], np.ndarray, dict],
                  b: tuple[str, list[str], np.ndarray, dict]) -> go.Figure:
    """One variable of two runs side by side, on one y axis, one line per region."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=[a[0], b[0]])
    for col, (_, regions, dates, rv) in enumerate((a, b), start=1):
        arr = _series(var, rv)
        if arr is None:
            continue
        for r, name in enumerate(regions):
            fig.add_trace(go.Scatter(x=list(dates), y=arr[:, r], name=name, legendgroup=name,
                                     showlegend=col == 1, mode="lines",
                                     line={"width": 1.3, "color": PALETTE[r % len(PALETTE)]}),
                          row=1, col=col)
    if var == "output_per_capita":
        fig.update_yaxes(type="log")
    fig.update_layout(title=var.replace("_", " "), height=420,
                      margin={"l": 50, "r": 10, "t": 60, "b": 30})
    return fig
