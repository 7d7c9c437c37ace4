"""The report of one run (and the overview of an ensemble of runs): what happened, region by
region and class by class, the course of each authority against the dated turns of history, and
the class character the classifier gave each region and expansion, year by year.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa
from plotly.subplots import make_subplots

from sovsim.authorities.course import (
    REVERSAL_SWING,
    Turn,
    count_reversals,
    mean_spacing,
    month_of,
    soviet_turns,
    timing_score,
)
from sovsim.io import report_data as data
from sovsim.io.report_html import (
    AUTHORITY_FAMILIES,
    CLASS_COLOURS,
    PALETTE,
    TURN_COLOURS,
    TURN_NAMES,
    Page,
    band_traces,
    base_layout,
    esc,
    fmt,
    kv_table,
    label_colour,
    table,
)
from sovsim.world.names import AUTHORITIES, CLASSES

# (variable, panel title, unit shown, scale to the unit, log axis)
REGION_PANELS: tuple[tuple[str, str, str, float, bool], ...] = (
    ("output_per_capita", "Output per head", "1990 GK$/person/yr", 1.0, True),
    ("collective_share", "Collective share of capital (state + collective)", "share", 1.0, False),
    ("population", "Population", "million persons", 1e-6, True),
    ("prestige", "Prestige of the October conquests (world)", "[0, 1]", 1.0, False),
    ("active_left", "Active left (proletarian action)", "per 1,000 persons", 1e3, False),
    ("active_right", "Active right (restorationist action)", "per 1,000 persons", 1e3, False),
)
PER_HEAD = ("active_left", "active_right")   # drawn per 1,000 of the region's population
CLASS_PANELS: tuple[tuple[str, str, str], ...] = (
    ("mean_income", "Mean income", "1990 GK$/person/yr"),
    ("hardship", "Hardship", "share"),
    ("legitimacy", "Legitimacy of the authority", "[0, 1]"),
    ("tendency", "Tendency (-1 restorationist, +1 proletarian)", "[-1, 1]"),
)
REGION_NEEDS = ("population", "output_per_capita", "collective_share", "active_left",
                "active_right", "course", "authority", "prestige")
# a course whose standard deviation is below this is a constant policy, not a course to draw
COURSE_VARIES = 1e-6
MAX_EVENTS = 300


@dataclass
class RunData:
    """The tables of one run folder that the report draws, pivoted to arrays."""

    folder: Path
    meta: dict
    regions: list[str]
    dates: np.ndarray                                   # (T,) 'YYYY-MM'
    region_vars: dict[str, np.ndarray] = field(default_factory=dict)   # name -> (T, R)
    world_vars: dict[str, np.ndarray] = field(default_factory=dict)    # name -> (T,)
    classes: list[str] = field(default_factory=list)
    class_vars: dict[str, np.ndarray] = field(default_factory=dict)    # name -> (T, R, K)
    class_dates: np.ndarray | None = None               # dates of the class series
    labels: pa.Table | None = None
    labels_computed: bool = False        # the folder had no labels: the report classified it
    events: pa.Table | None = None

    @property
    def name(self) -> str:
        """Scenario and seed, or the folder's name."""
        m = self.meta
        return f"{m['scenario']} s{m.get('seed', '?')}" if "scenario" in m else self.folder.name


def is_run_folder(folder: Path) -> bool:
    """A run folder: meta.json written by sovsim and a regions table."""
    meta = folder / "meta.json"
    if not meta.is_file() or data.table_path(folder, "regions") is None:
        return False
    try:
        return "sovsim_version" in json.loads(meta.read_text())
    except (OSError, ValueError):
        return False


def _steps(table: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct steps, their dates, and each row's step position."""
    steps = data.column(table, "step")
    dates = data.column(table, "date")
    keys, pos = data.grid(steps)
    first = np.zeros(keys.size, dtype=np.int64)
    first[pos[::-1]] = np.arange(pos.size)[::-1]           # a row of each step, for its date
    return keys, dates[first].astype(str), pos


def load_run(folder: Path, full: bool = True) -> RunData:
    """Read a run folder: region and world series, and unless `full` is False (an ensemble's
    overview needs only those) class series, labels and events."""
    meta = json.loads((folder / "meta.json").read_text())
    regions_table = data.read(folder, "regions")
    assert regions_table is not None          # is_run_folder checked that it exists
    regions_table = regions_table.filter(
        data.isin(regions_table, "variable", REGION_NEEDS))
    names = list(meta.get("regions") or [r for r in data.uniques(regions_table, "region")
                                         if r != "world"])
    _, dates, tpos = _steps(regions_table)
    region = data.column(regions_table, "region")
    variable = data.column(regions_table, "variable")
    value = data.column(regions_table, "value")
    index = {name: i for i, name in enumerate(names)}
    run = RunData(folder, meta, names, dates)
    for var in data.uniques(regions_table, "variable"):
        rows = variable == var
        if np.all(region[rows] == "world"):
            arr = np.full(dates.size, np.nan)
            arr[tpos[rows]] = value[rows]
            run.world_vars[var] = arr
            continue
        arr = np.full((dates.size, len(names)), np.nan)
        keep = rows & np.isin(region, names)
        arr[tpos[keep], [index[r] for r in region[keep]]] = value[keep]
        run.region_vars[var] = arr
    if not full:
        return run
    _load_classes(run)
    run.labels = data.read(folder, "labels")
    if run.labels is None:
        # run folders of an ensemble are written without labels; the classifier reads outputs
        # only, so the report can label the run itself
        from sovsim.classify.run_labels import classify_run

        try:
            run.labels, run.labels_computed = classify_run(folder)[0], True
        except (ValueError, KeyError):
            run.labels = None
    run.events = data.read(folder, "events")
    return run


def _load_classes(run: RunData) -> None:
    """Class series as (T, R, K) arrays on the run's steps."""
    t = data.read(run.folder, "classes")
    if t is None or t.num_rows == 0:
        return
    _, dates, tpos = _steps(t)
    present = set(data.uniques(t, "class"))
    run.classes = [k for k in CLASSES if k in present] + sorted(present - set(CLASSES))
    kidx = {k: i for i, k in enumerate(run.classes)}
    ridx = {r: i for i, r in enumerate(run.regions)}
    region, klass = data.column(t, "region"), data.column(t, "class")
    variable, value = data.column(t, "variable"), data.column(t, "value")
    keep = np.isin(region, run.regions)
    ri = np.array([ridx.get(r, -1) for r in region])
    ki = np.array([kidx[k] for k in klass])
    for var in data.uniques(t, "variable"):
        rows = keep & (variable == var)
        arr = np.full((dates.size, len(run.regions), len(run.classes)), np.nan)
        arr[tpos[rows], ri[rows], ki[rows]] = value[rows]
        run.class_vars[var] = arr
    run.class_dates = dates


def with_unit(title: str, unit: str) -> str:
    """'title [unit]', a unit that is already an interval not bracketed twice."""
    return f"{title} {unit}" if unit.startswith("[") else f"{title} [{unit}]"


def log_axis(fig: go.Figure, values: np.ndarray, row: int, col: int) -> None:
    """A log y axis with ticks at 1, 2 and 5 times powers of ten, written short (20k, 1M):
    plotly's own log ticks label every minor digit and crowd a panel a third of a page high."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    fig.update_yaxes(type="log", row=row, col=col)
    if not v.size:
        return
    lo, hi = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
    step = (1, 2, 5) if hi - lo <= 3 else (1,) if hi - lo > 5 else (1, 3)
    ticks = [m * 10.0 ** e for e in range(lo, hi + 1) for m in step]
    ticks = [t for t in ticks if v.min() / 1.5 <= t <= v.max() * 1.5]
    if sum(v.min() <= t <= v.max() for t in ticks) < 3:
        return            # a range within a decade or so: plotly's own ticks read well there
    fig.update_yaxes(tickvals=ticks, ticktext=[_short(t) for t in ticks], row=row, col=col)


def _short(x: float) -> str:
    """20000 as '20k', 1.5e6 as '1.5M'."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:g}{suffix}"
    return f"{x:g}"


def region_colours(run: RunData) -> list[str]:
    """A colour per region from the family of its first authority (see AUTHORITY_FAMILIES)."""
    auth = run.region_vars.get("authority")
    used: dict[str, int] = {}
    out = []
    for r in range(len(run.regions)):
        family = "other"
        if auth is not None:
            first = auth[:, r][~np.isnan(auth[:, r])]
            if first.size and 0 <= int(first[0]) < len(AUTHORITIES):
                family = AUTHORITIES[int(first[0])]
        shades = AUTHORITY_FAMILIES.get(family, PALETTE)
        k = used.get(family, 0)
        used[family] = k + 1
        out.append(shades[k % len(shades)])
    return out


# -- sections -----------------------------------------------------------------------------------

def run_sections(page: Page, run: RunData, anchor: str, heading: str | None = None) -> None:
    """All sections of one run's report, under anchors starting with `anchor`."""
    page.section(anchor, heading or f"Run {run.name}")
    meta = dict(run.meta)
    regions = meta.pop("regions", run.regions)
    page.add(kv_table([*meta.items(), ("regions", regions)]))
    page.add(f'<p class="note">Folder: {esc(run.folder)}</p>')
    _regions_chart(page, run)
    _classes_chart(page, run)
    _course_chart(page, run)
    _labels_charts(page, run)
    _events_table(page, run)


def _regions_chart(page: Page, run: RunData) -> None:
    page.add("<h3>Regions over time</h3>")
    panels = [p for p in REGION_PANELS
              if p[0] in run.region_vars or p[0] in run.world_vars]
    if not panels:
        page.add('<p class="note">No region series in this run.</p>')
        return
    rows = (len(panels) + 1) // 2
    fig = make_subplots(rows=rows, cols=2, shared_xaxes=True, vertical_spacing=0.08,
                        horizontal_spacing=0.07,
                        subplot_titles=[with_unit(t, u) for _, t, u, _, _ in panels])
    colours = region_colours(run)
    pop = run.region_vars.get("population")
    for i, (var, _title, unit, scale, log) in enumerate(panels):
        row, col = i // 2 + 1, i % 2 + 1
        if var in run.world_vars:
            fig.add_trace(go.Scatter(x=run.dates, y=run.world_vars[var] * scale, name="world",
                                     mode="lines", line={"color": "#444", "width": 2},
                                     legendgroup="world",
                                     hovertemplate="world %{x}: %{y:.3g}<extra></extra>"),
                          row=row, col=col)
        else:
            arr = run.region_vars[var] * scale
            if var in PER_HEAD and pop is not None:
                with np.errstate(invalid="ignore", divide="ignore"):
                    arr = run.region_vars[var] / pop * scale
            for r, name in enumerate(run.regions):
                fig.add_trace(go.Scatter(
                    x=run.dates, y=arr[:, r], name=name, mode="lines", legendgroup=name,
                    showlegend=(i == 0), line={"color": colours[r], "width": 1.6},
                    hovertemplate=f"{esc(name)} %{{x}}: %{{y:.4g}} {esc(unit)}"
                                  "<extra></extra>"), row=row, col=col)
        if log:
            log_axis(fig, arr, row=row, col=col)
    base_layout(fig, height=300 * rows + 40)
    fig.update_layout(legend={"title": {"text": "region"}, "groupclick": "togglegroup"},
                      margin={"t": 36})
    fig.update_annotations(font_size=13)
    page.chart(fig, "Colours by the authority ruling the region at the start: Soviet bureaucracy "
                    "dark red, occupation orange-red, finance capital blue, colonial "
                    "administration brown-green. Click a region in the legend to hide it in "
                    "every panel, double-click to show it alone. Active persons are drawn per "
                    "1,000 of the region's population.")


def _classes_chart(page: Page, run: RunData) -> None:
    panels = [p for p in CLASS_PANELS if p[0] in run.class_vars]
    if not panels:
        return
    page.add("<h3>Classes over time</h3>")
    dates = run.class_dates if run.class_dates is not None else run.dates
    count = run.class_vars.get("count")
    fig = make_subplots(rows=2, cols=2, shared_xaxes=True, vertical_spacing=0.12,
                        horizontal_spacing=0.08,
                        subplot_titles=[with_unit(t, u) for _, t, u in panels])
    yearly = {var: data.yearly_mean(dates, run.class_vars[var]) for var, _, _ in panels}
    owner: list[int] = []                       # region of each trace, for the dropdown
    for r in range(len(run.regions)):
        present = [k for k in range(len(run.classes))
                   if count is None or np.nansum(count[:, r, k]) > 0]
        for i, (var, title, unit) in enumerate(panels):
            years, arr = yearly[var]
            for k in present:
                name = run.classes[k]
                fig.add_trace(go.Scatter(
                    x=years, y=arr[:, r, k], name=name.lower().replace("_", " "),
                    legendgroup=name, showlegend=(i == 0), visible=(r == 0), mode="lines",
                    line={"color": CLASS_COLOURS.get(name, PALETTE[k % len(PALETTE)]),
                          "width": 1.8},
                    hovertemplate=f"{esc(name)} %{{x}}: %{{y:.3g}} {esc(unit)}<extra>"
                                  f"{esc(title)}</extra>"), row=i // 2 + 1, col=i % 2 + 1)
                owner.append(r)
    owners = np.array(owner)
    buttons = [{"label": region, "method": "update",
                "args": [{"visible": (owners == r).tolist()}]}
               for r, region in enumerate(run.regions)]
    base_layout(fig, height=640)
    fig.update_layout(
        updatemenus=[{"buttons": buttons, "direction": "down", "x": 0.0, "xanchor": "left",
                      "y": 1.13, "yanchor": "top", "showactive": True,
                      "bgcolor": "#f6f8fa", "bordercolor": "#bbb"}],
        margin={"t": 80}, legend={"title": {"text": "class"}})
    fig.update_annotations(font_size=13)
    page.chart(fig, "Yearly means of the monthly series. Choose the region in the menu at the "
                    "top left; classes with no members in a region are left out.")


def _overlap(run: RunData, turns: list[Turn]) -> list[Turn]:
    """The historical turns dated within the run."""
    lo, hi = month_of(str(run.dates[0])), month_of(str(run.dates[-1]))
    return [t for t in turns if lo <= t.month <= hi]


def _month_str(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def turn_shapes(fig: go.Figure, turns: list[Turn], x_of: Callable[[Turn], object],
                axis: str = "", legend: bool = True, y_top: float = 1.12) -> list[dict]:
    """Dated historical turns on the axes x<axis>/y<axis>: hoverable markers at the top of the
    plot (added to `fig`), and vertical lines coloured by direction, returned as shape dicts
    for the caller to set at once (plotly's add_vline re-validates every shape at each call,
    which is quadratic in the number of lines)."""
    shapes = [{"type": "line", "xref": f"x{axis}", "yref": f"y{axis} domain", "x0": x_of(t),
               "x1": x_of(t), "y0": 0, "y1": 1, "opacity": 0.8,
               "line": {"color": TURN_COLOURS[t.direction], "width": 1, "dash": "dot"}}
              for t in turns]
    for direction in (1, -1):
        sel = [t for t in turns if t.direction == direction]
        if not sel:
            continue
        fig.add_trace(go.Scatter(
            x=[x_of(t) for t in sel], y=[y_top] * len(sel), mode="markers",
            xaxis=f"x{axis}", yaxis=f"y{axis}",
            marker={"symbol": "triangle-up" if direction == 1 else "triangle-down", "size": 9,
                    "color": TURN_COLOURS[direction]},
            name=f"history: {TURN_NAMES[direction]}", legendgroup=f"turn{direction}",
            showlegend=legend,
            text=[f"{_month_str(t.month)} {esc(t.event)}" for t in sel],
            hovertemplate="%{text}<extra>" + TURN_NAMES[direction] + "</extra>"))
    return shapes


def _course_chart(page: Page, run: RunData) -> None:
    course = run.region_vars.get("course")
    page.add("<h3>Course of the authorities</h3>")
    if course is None:
        page.add('<p class="note">This run recorded no course.</p>')
        return
    varying = [r for r in range(len(run.regions))
               if np.nanstd(course[:, r]) > COURSE_VARIES]
    if not varying:
        page.add('<p class="note">No region\'s course varies in this run: every authority '
                 "held its course constant.</p>")
        return
    turns = _overlap(run, soviet_turns())
    colours = region_colours(run)
    fig = go.Figure()
    months = np.array([month_of(str(d)) for d in run.dates])
    rows = []
    for r in varying:
        name = run.regions[r]
        x = course[:, r]
        fig.add_trace(go.Scatter(x=run.dates, y=x, name=name, mode="lines",
                                 line={"color": colours[r], "width": 2},
                                 hovertemplate=f"{esc(name)} %{{x}}: course %{{y:.2f}}"
                                               "<extra></extra>"))
        idx, dirs = count_reversals(np.nan_to_num(x), REVERSAL_SWING)
        for direction, symbol in ((1, "triangle-up"), (-1, "triangle-down")):
            sel = idx[dirs == direction]
            if sel.size:
                fig.add_trace(go.Scatter(
                    x=run.dates[sel], y=x[sel], mode="markers", legendgroup=name,
                    name=f"{name}: reversal {TURN_NAMES[direction]}", showlegend=False,
                    marker={"symbol": symbol, "size": 11, "color": TURN_COLOURS[direction],
                            "line": {"color": "white", "width": 1}},
                    hovertemplate=f"{esc(name)} reversal %{{x}}<extra>"
                                  f"{TURN_NAMES[direction]}</extra>"))
        recall, precision = (timing_score((months[idx], dirs), (
            np.array([t.month for t in turns]), np.array([t.direction for t in turns])))
            if turns else (float("nan"), float("nan")))
        rows.append([name, str(idx.size), fmt(mean_spacing(idx)), fmt(recall),
                     fmt(precision)])
    fig.update_layout(shapes=turn_shapes(fig, turns, lambda t: _month_str(t.month)))
    base_layout(fig, height=420)
    fig.update_yaxes(range=[-1.1, 1.2], title="course x", tickvals=[-1, -0.5, 0, 0.5, 1],
                     ticktext=["-1 market", "-0.5", "0", "0.5", "+1 crackdown"])
    page.chart(fig, (
        f"Course x of each authority whose course varies (-1 concessions to private "
        f"accumulation, +1 crackdown). Triangles on a line: the run's reversals (a turn after a "
        f"swing of at least {REVERSAL_SWING}); up = toward state control, down = toward the "
        f"market. Dotted verticals: the dated historical Soviet turns within the run's dates "
        f"({len(turns)} of them; hover the markers at the top for the event)."))
    if turns:
        page.add(table(["region", "reversals", "mean spacing (months)",
                        "historical turns matched", "reversals matching history"], rows))
        page.add('<p class="note">A turn matches when a reversal of the same direction lies '
                 "within 18 months of it (course.timing_score).</p>")
    else:
        page.add('<p class="note">No dated historical turn falls within the run\'s dates '
                 f"({esc(run.dates[0])} to {esc(run.dates[-1])}); the timeline covers 1918-1953."
                 "</p>")


def _labels_charts(page: Page, run: RunData) -> None:
    page.add("<h3>Class character: the classifier's labels by year</h3>")
    labels = run.labels
    if labels is None or labels.num_rows == 0:
        page.add('<p class="note">No labels: the run\'s tables could not be classified.</p>')
        return
    if run.labels_computed:
        page.add('<p class="note">The folder has no labels table; these labels were computed '
                 "by the report from the run's tables (sovsim.classify).</p>")
    kinds = data.column(labels, "kind")
    all_labels = data.uniques(labels, "label")
    code = {lab: i for i, lab in enumerate(all_labels)}
    colours = [label_colour(lab, i) for i, lab in enumerate(all_labels)]
    for kind, title in (("region", "Regions"), ("expansion", "Expansions (controller -> "
                                                                  "region)")):
        sub = labels.filter(pa.array(kinds == kind))
        if sub.num_rows == 0:
            continue
        years = data.column(sub, "year").astype(int)
        regions = data.column(sub, "region")
        if kind == "expansion":
            ctrl = data.column(sub, "controller")
            subjects = np.array([f"{c} -> {r}" for c, r in zip(ctrl, regions, strict=True)],
                                dtype=object)
        else:
            subjects = regions
        order = list(dict.fromkeys(subjects))
        if kind == "region":
            order = [r for r in run.regions if r in set(order)] + \
                    [s for s in order if s not in set(run.regions)]
        ys = sorted(set(years.tolist()))
        z = np.full((len(order), len(ys)), np.nan)
        text = np.full((len(order), len(ys)), "", dtype=object)
        si = {s: i for i, s in enumerate(order)}
        yi = {y: i for i, y in enumerate(ys)}
        for s, y, lab in zip(subjects, years, data.column(sub, "label"), strict=True):
            z[si[s], yi[y]] = code[lab]
            text[si[s], yi[y]] = lab
        n = len(all_labels)
        # a discrete colour scale: code i covers [i/n, (i+1)/n) of the scale
        scale = []
        for i, c in enumerate(colours):
            scale += [[i / n, c], [(i + 1) / n, c]]
        fig = go.Figure(go.Heatmap(
            x=ys, y=order, z=z, text=text, zmin=-0.5, zmax=n - 0.5, colorscale=scale,
            showscale=False, xgap=1, ygap=1,
            hovertemplate="%{y}, %{x}: %{text}<extra></extra>"))
        present = {lab for lab in text.ravel() if lab}
        for i, lab in enumerate(all_labels):
            if lab in present:
                fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=lab,
                                         marker={"symbol": "square", "size": 12,
                                                 "color": colours[i]}))
        height = max(190, 26 * len(order) + 150)
        base_layout(fig, title, height=height)
        fig.update_yaxes(autorange="reversed", showgrid=False, type="category")
        fig.update_xaxes(showgrid=False, dtick=5)
        # the legend of labels goes under the year ticks: a fixed 34 pixels below the plot
        fig.update_layout(margin={"b": 96}, legend={
            "orientation": "h", "x": 0, "y": -34 / (height - 48 - 96), "yanchor": "top"})
        page.chart(fig)
    page.add("<details><summary>The labels as text: spans of years with one label</summary>"
             + _spans_table(labels) + "</details>")


def _spans_table(labels: pa.Table) -> str:
    """Each subject's labels as runs of consecutive years."""
    spans: dict[tuple[str, str], list[list]] = {}
    ctrl = data.column(labels, "controller") if "controller" in labels.column_names else None
    for i, (kind, region, year, lab) in enumerate(zip(
            data.column(labels, "kind"), data.column(labels, "region"),
            data.column(labels, "year").astype(int), data.column(labels, "label"),
            strict=True)):
        subject = f"{ctrl[i]} -> {region}" if kind == "expansion" and ctrl is not None \
            else region
        runs = spans.setdefault((kind, subject), [])
        if runs and runs[-1][2] == lab and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year, lab])
    rows = [[kind, subject, "; ".join(f"{a}-{b} {lab}" if a != b else f"{a} {lab}"
                                      for a, b, lab in runs)]
            for (kind, subject), runs in spans.items()]
    rows.sort(key=lambda r: r[0] != "region")
    return table(["kind", "subject", "labels"], rows)


def _events_table(page: Page, run: RunData) -> None:
    ev = run.events
    if ev is None or ev.num_rows == 0:
        return
    page.add(f"<h3>Events ({ev.num_rows})</h3>")
    rows = [[str(r.get("date", "")), str(r.get("kind", "")), str(r.get("region", "")),
             str(r.get("detail", ""))] for r in ev.slice(0, MAX_EVENTS).to_pylist()]
    body = table(["date", "kind", "region", "detail"], rows)
    more = (f'<p class="note">The first {MAX_EVENTS} of {ev.num_rows} events.</p>'
            if ev.num_rows > MAX_EVENTS else "")
    page.add(body + more if ev.num_rows <= 20 else
             f"<details><summary>Show the events</summary>{body}{more}</details>")


# -- ensembles ----------------------------------------------------------------------------------

def ensemble_overview(page: Page, meta: dict, index: pa.Table | None, runs: list[RunData],
                      anchor: str) -> None:
    """The ensemble's settings, priors and runs, and the median and 5-95% band across its runs
    of the main region series."""
    page.section(anchor, f"Ensemble of {len(runs)} runs")
    page.add(kv_table((k, v) for k, v in meta.items() if k not in ("priors", "join")))
    priors = meta.get("priors") or {}
    if priors:
        rows = [[name, str(p.get("dist", "")),
                 ", ".join(f"{k} = {fmt(v)}" for k, v in p.items() if k not in ("dist",
                                                                                 "reason")),
                 str(p.get("reason", ""))] for name, p in priors.items()]
        page.add("<details><summary>Priors of the drawn parameters "
                 f"({len(rows)})</summary>{table(['parameter', 'prior', 'shape', 'why'], rows)}"
                 "</details>")
    if index is not None and index.num_rows:
        cols = index.column_names
        rows = [[fmt(r[c]) if not isinstance(r[c], str) else r[c] for c in cols]
                for r in index.to_pylist()]
        page.add(f"<details><summary>The runs and their drawn parameters ({index.num_rows})"
                 f"</summary>{table(cols, rows)}</details>")
    names = runs[0].regions
    colours = region_colours(runs[0])
    panels = [p for p in REGION_PANELS[:4]
              if all(p[0] in r.region_vars or p[0] in r.world_vars for r in runs)]
    if not panels:
        return
    rows = (len(panels) + 1) // 2
    fig = make_subplots(rows=rows, cols=2, shared_xaxes=True, vertical_spacing=0.1,
                        horizontal_spacing=0.07,
                        subplot_titles=[with_unit(t, u) for _, t, u, _, _ in panels])
    # runs of one ensemble share their dates; a run of another length is cut to the first's
    T = min(r.dates.size for r in runs)
    dates = runs[0].dates[:T]
    for i, (var, _title, unit, scale, log) in enumerate(panels):
        world = var in runs[0].world_vars
        stack = np.stack([(r.world_vars[var][:T, None] if world else r.region_vars[var][:T])
                          * scale for r in runs])                       # (N, T, R or 1)
        with warnings.catch_warnings():          # a step where every run is nan stays nan
            warnings.simplefilter("ignore", RuntimeWarning)
            q = np.nanquantile(stack, [0.05, 0.5, 0.95], axis=0)
        axis = "" if i == 0 else str(i + 1)
        for r, name in enumerate(["world"] if world else names):
            colour = "#444444" if world else colours[r]
            for tr in band_traces(dates, q[0][:, r], q[1][:, r], q[2][:, r], name, colour,
                                  unit, group=name, xaxis=f"x{axis}", yaxis=f"y{axis}",
                                  showlegend=(i == 0 or world)):
                fig.add_trace(tr)
        if log:
            log_axis(fig, stack, row=i // 2 + 1, col=i % 2 + 1)
    base_layout(fig, height=300 * rows + 40)
    fig.update_layout(legend={"groupclick": "togglegroup"}, margin={"t": 36})
    fig.update_annotations(font_size=13)
    page.chart(fig, "Median across runs, with the band from the 5th to the 95th percentile.")
