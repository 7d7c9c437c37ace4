"""The page of a history folder (`sovsim history`): the scorecard and the series behind it.

For every region: output per head (log scale), population and wage share, the model's summary
over seeds (geometric mean for output per head, median otherwise) with the band from its lowest
to its highest seed, against Maddison (2010); the calibration window 1946-1970 is shaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sovsim.io import report_data as data
from sovsim.io.report_html import Page, band_traces, base_layout, esc, table

PANELS: tuple[tuple[str, str, float, bool], ...] = (
    ("output_per_capita", "Output per head (1990 GK$, log scale)", 1.0, True),
    ("population", "Population (millions)", 1e-6, False),
    ("wage_share", "Wage share of output", 1.0, False),
)
MODEL_COLOUR = "#0072B2"
DATA_COLOUR = "#222222"
WINDOW = (1946, 1970)  # the calibration window, drawn shaded
COLS = 4


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
