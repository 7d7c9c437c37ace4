"""The page of a history folder (`sovsim history`): the scorecard and the series behind it.

For every region: output per head (log scale), population and wage share, the model's summary
over seeds (geometric mean for output per head, median otherwise) with the band from its lowest
to its highest seed, against Maddison (2010); the calibration window 1946-1970 is shaded.
Then the politics behind P1-P5, run by run and month by month: per region the share of the
people in left and in right action (with the 1% of an outburst and the 3.5% of P1), the
authority and its controller as spells, and the USSR's course with its reversals marked as
claim C4 counts them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sovsim.authorities.course import REVERSAL_SWING, count_reversals
from sovsim.io import report_data as data
from sovsim.io.report_html import Page, band_traces, base_layout, esc, table
from sovsim.world.names import AUTHORITIES

PANELS: tuple[tuple[str, str, float, bool], ...] = (
    ("output_per_capita", "Output per head (1990 GK$, log scale)", 1.0, True),
    ("population", "Population (millions)", 1e-6, False),
    ("wage_share", "Wage share of output", 1.0, False),
)
MODEL_COLOUR = "#0072B2"
DATA_COLOUR = "#222222"
WINDOW = (1946, 1970)  # the calibration window, drawn shaded
COLS = 4
LEFT_COLOUR = "#b42318"
RIGHT_COLOUR = "#0072B2"
RUN_DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")


def history_sections(page: Page, folder: Path) -> None:
    """The scorecard table and one chart per variable (a small panel per region)."""
    meta = json.loads((Path(folder) / "meta.json").read_text())
    rows = data.read(folder, "rows")
    series = data.read(folder, "series")
    if rows is None or series is None:
        raise ValueError(f"{folder}: a history folder without rows.parquet and series.parquet")
    page.section("scorecard", "Scorecard: the world against 1946-1989")
    runs = meta.get("runs", [])
    page.add(f'<p class="note">{len(runs)} run{"s" if len(runs) != 1 else ""}: '
             f"{esc(', '.join(runs))}. Model values: geometric mean over seeds for output per "
             "head, median otherwise; in brackets the range of the row's statistic over the "
             "seeds one by one.</p>")
    body = []
    for r in rows.to_pylist():
        mark = ('<b style="color:#1a7f37">pass</b>' if r["passed"]
                else '<b style="color:#b42318">FAIL</b>')
        body.append([esc(r["id"]), esc(r["what"]), esc(r["data"]), esc(r["model"]),
                     esc(r["tolerance"]), mark])
    page.add(table(["id", "pattern", "data", "model", "tolerance", "result"], body, raw=True))
    var = data.column(series, "variable")
    for name, title, scale, log in PANELS:
        pick = series.filter(var == name)
        if pick.num_rows == 0:
            continue
        page.section(f"series-{name}", title)
        _panel_chart(page, pick, title, scale, log)
    politics = data.read(folder, "politics")
    if politics is not None and politics.num_rows:
        politics_sections(page, politics, [str(r) for r in meta.get("regions", [])])


def _by_run(t) -> dict[str, dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]]:
    """run -> (region, variable) -> (months, values)."""
    run, month = data.column(t, "run"), data.column(t, "month")
    region, variable, value = (data.column(t, c) for c in ("region", "variable", "value"))
    out: dict[str, dict] = {}
    for name in dict.fromkeys(run.tolist()):
        sel = run == name
        keys = list(zip(region[sel].tolist(), variable[sel].tolist(), strict=True))
        per: dict[tuple[str, str], list] = {}
        for k, m, v in zip(keys, month[sel], value[sel], strict=True):
            per.setdefault(k, []).append((m, v))
        out[name] = {k: (np.array([m for m, _ in mv]), np.array([v for _, v in mv]))
                     for k, mv in per.items()}
    return out


def _label(month: int) -> str:
    return f"{int(month) // 12}-{int(month) % 12 + 1:02d}"


def spells(months: np.ndarray, authority: np.ndarray, controller: np.ndarray,
           regions: list[str], own: str) -> str:
    """'colonial (UK) 1946-01; provisional 1947-08; ...': the authority and, where another
    region governs `own`, that controller, each from the month it began."""
    out, last = [], None
    for m, a, c in zip(months, authority, controller, strict=True):
        if not (np.isfinite(a) and np.isfinite(c)) or (a, c) == last:
            continue
        last = (a, c)
        name = AUTHORITIES[int(a)] if 0 <= int(a) < len(AUTHORITIES) else f"#{int(a)}"
        ruler = regions[int(c)] if 0 <= int(c) < len(regions) else f"#{int(c)}"
        out.append(f"{name}{'' if ruler == own else f' ({ruler})'} {_label(int(m))}")
    return "; ".join(out)


def politics_sections(page: Page, t, regions: list[str]) -> None:
    """Share in action per region, authority and controller per region, the USSR's course."""
    runs = _by_run(t)
    names = list(runs)
    page.section("politics-action", "Share of the people in action (P1, P3)")
    rows = (len(regions) + COLS - 1) // COLS
    fig = make_subplots(rows=rows, cols=COLS, subplot_titles=regions, vertical_spacing=0.06,
                        horizontal_spacing=0.05)
    for i, region in enumerate(regions):
        row, col = i // COLS + 1, i % COLS + 1
        for k, run in enumerate(names):
            dash = RUN_DASHES[k % len(RUN_DASHES)]
            for var, colour, side in (("share_left", LEFT_COLOUR, "left"),
                                      ("share_right", RIGHT_COLOUR, "right")):
                if (region, var) not in runs[run]:
                    continue
                m, v = runs[run][(region, var)]
                fig.add_trace(go.Scatter(x=m / 12.0, y=100.0 * v, mode="lines",
                                         name=f"{side} action, {run}",
                                         legendgroup=f"{side}{run}",
                                         showlegend=(i == 0),
                                         line={"color": colour, "width": 1.1, "dash": dash}),
                              row=row, col=col)
        for level in (1.0, 3.5):
            fig.add_hline(y=level, line_width=0.8, line_dash="dot", line_color="#888888",
                          row=row, col=col)
    base_layout(fig, height=210 * rows + 40)
    fig.update_annotations(font_size=12)
    page.chart(fig, "Share of each region's people in left (red) and right (blue) action, % "
                    "per month, one line style per run. Dotted: 1% (an outburst, P1 and P3) "
                    "and 3.5% (P1's threshold of a regime-threatening mobilisation).")
    page.section("politics-authority", "Authority and controller (P2)")
    body = []
    for region in regions:
        cells = [esc(region)]
        for run in names:
            a = runs[run].get((region, "authority"))
            c = runs[run].get((region, "controller"))
            cells.append(esc(spells(a[0], a[1], c[1], regions, region)) if a and c
                         else "—")
        body.append(cells)
    page.add(table(["region", *names], body, raw=True))
    page.add('<p class="note">Each spell: the authority, in brackets the region that governs '
             "when it is not the region itself, and the month it began.</p>")
    page.section("politics-course", "The USSR's course and its reversals (P4)")
    fig = go.Figure()
    for k, run in enumerate(names):
        if ("USSR", "course") not in runs[run]:
            continue
        m, x = runs[run][("USSR", "course")]
        dash = RUN_DASHES[k % len(RUN_DASHES)]
        fig.add_trace(go.Scatter(x=m / 12.0, y=x, mode="lines", name=run,
                                 line={"width": 1.4, "dash": dash}))
        idx, dirs = count_reversals(x, REVERSAL_SWING)
        for d, symbol, word in ((1, "triangle-up", "left turn"),
                                (-1, "triangle-down", "right turn")):
            pick = idx[dirs == d]
            fig.add_trace(go.Scatter(x=m[pick] / 12.0, y=x[pick], mode="markers",
                                     name=f"{word}, {run}", legendgroup=run,
                                     marker={"symbol": symbol, "size": 9}))
    fig.add_vline(x=1953, line_width=0.8, line_dash="dot", line_color="#888888")
    base_layout(fig, height=360)
    page.chart(fig, f"Course x of the USSR (-1 concessions to private accumulation, +1 "
                    f"crackdown), month by month; markers: reversals, a swing of at least "
                    f"{REVERSAL_SWING} each way (as claim C4 counts them; P4 counts those from "
                    "1953, dotted).")


def _panel_chart(page: Page, t, title: str, scale: float, log: bool) -> None:
    region = data.column(t, "region")
    years = data.column(t, "year")
    regions = list(dict.fromkeys(region.tolist()))
    rows = (len(regions) + COLS - 1) // COLS
    fig = make_subplots(rows=rows, cols=COLS, subplot_titles=regions, vertical_spacing=0.06,
                        horizontal_spacing=0.05)
    for i, name in enumerate(regions):
        row, col = i // COLS + 1, i % COLS + 1
        sel = region == name
        x = years[sel]
        cols = {c: data.column(t, c)[sel] * scale for c in ("model", "low", "high", "data")}
        for trace in band_traces(x, cols["low"], cols["model"], cols["high"], "model",
                                 MODEL_COLOUR, group="model", showlegend=(i == 0)):
            fig.add_trace(trace, row=row, col=col)
        if np.isfinite(cols["data"]).any():
            fig.add_trace(go.Scatter(x=x, y=cols["data"], mode="lines", name="Maddison 2010",
                                     legendgroup="data", showlegend=(i == 0),
                                     line={"color": DATA_COLOUR, "width": 1.4, "dash": "dot"}),
                          row=row, col=col)
        fig.add_vrect(x0=WINDOW[0], x1=WINDOW[1], fillcolor="#f2e6c9", opacity=0.45,
                      line_width=0, layer="below", row=row, col=col)
        if log:
            fig.update_yaxes(type="log", row=row, col=col)
    base_layout(fig, height=210 * rows + 40)
    fig.update_annotations(font_size=12)
    page.chart(fig, f"{esc(title)}: model (line, band from the lowest to the highest seed) "
                    "against Maddison (2010) (dotted; the two German zones against Germany as "
                    "a whole, India's population against India, Pakistan and Bangladesh is in "
                    "the scorecard's E7). Shaded: the calibration window 1946-1970; what "
                    "follows is out of sample.")
