"""The page of a report: one self-contained HTML file, its charts, colours and small widgets.

Every chart is a Plotly figure; the plotly.js bundle is embedded once in the page's head, so the
file opens offline (no CDN, no web fonts) and each chart's own script only calls `Plotly.newPlot`.
The bundle goes in the head rather than with the first chart so that the order of the sections
never matters. Figures use a small layout of our own instead of a Plotly template: a template is
serialised into every figure, and a page holds dozens of them.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from sovsim import __version__
from sovsim.classify import criteria as crit

# -- colours ------------------------------------------------------------------------------------

# The three verdicts get badges of one size and weight: a refuted or undecided claim is reported
# as plainly as a supported one (MODEL.md §6: the software reports, it does not advocate).
VERDICT_COLOURS: dict[str, str] = {
    "supported": "#1a7f37",
    "refuted": "#b42318",
    "undecided": "#8a5a00",
}
VERDICT_OTHER = "#4b5563"

# Direction of a historical turn (course.DIRECTIONS): +1 toward state control, -1 toward market.
TURN_COLOURS: dict[int, str] = {1: "#c2185b", -1: "#1565c0"}
TURN_NAMES: dict[int, str] = {1: "toward state control", -1: "toward the market"}

# Okabe-Ito: distinguishable by colour-blind readers, for variants of an experiment.
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                            "#000000", "#F0E442")
# The shocks-only baseline is the reference, not a contender: it is drawn in grey.
BASELINE_COLOUR = "#7f7f7f"
BASELINES = ("shocks-only",)

CLASS_COLOURS: dict[str, str] = {
    "WORKER": "#d62728", "PEASANT": "#8c564b", "COLLECTIVE_FARMER": "#9aa000",
    "ARTISAN": "#17becf", "LANDLORD": "#9467bd", "CAPITALIST": "#1f77b4",
    "BUREAUCRAT": "#7f7f7f", "ENFORCER": "#222222",
}

# Labels of the classifier: the Soviet side in reds, capitalism in blues, colonies in ochre.
LABEL_COLOURS: dict[str, str] = {
    crit.DEGENERATED: "#b71c1c",
    crit.COUNCILS: "#e53935",
    crit.TRANSITIONAL: "#fb8c00",
    crit.SOVIET_TYPE: "#ef6c00",
    crit.RESTORED: "#8e24aa",
    crit.CAPITALIST: "#64b5f6",
    crit.IMPERIALIST_POWER: "#0d47a1",
    crit.IMPERIALIST: "#1976d2",
    crit.COLONY: "#a1887f",
    crit.UNDETERMINED: "#cfd8dc",
}

# Region colours by the family of the authority that rules the region at the start: the reader
# sees the blocs without a legend of sixteen names. Shades go dark to light within a family.
AUTHORITY_FAMILIES: dict[str, tuple[str, ...]] = {
    "bureaucracy": ("#7f0000", "#b71c1c", "#d32f2f"),
    "occupation": ("#e64a19", "#f57c00", "#ff8f00", "#ffa726", "#c62828", "#ad1457", "#ffb74d"),
    "finance_capital": ("#0d47a1", "#1565c0", "#1e88e5", "#42a5f5", "#3949ab", "#5c6bc0",
                        "#00838f", "#26a69a"),
    "colonial": ("#6d4c41", "#8d6e63", "#558b2f", "#7cb342", "#9e9d24", "#a1887f"),
    "councils": ("#6a1b9a", "#8e24aa", "#ab47bc"),
    "provisional": ("#616161", "#757575", "#9e9e9e"),
}


def colour_of(name: str, i: int) -> str:
    """The colour of variant `name`, the i-th of its list."""
    return BASELINE_COLOUR if name in BASELINES else PALETTE[i % len(PALETTE)]


def label_colour(label: str, i: int) -> str:
    """The colour of a classifier label (a palette colour for one not known here)."""
    return LABEL_COLOURS.get(label, PALETTE[i % len(PALETTE)])


def rgba(hex_colour: str, alpha: float) -> str:
    """'#rrggbb' as an rgba() string, for translucent bands."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[k:k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:g})"


# -- figures ------------------------------------------------------------------------------------

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def wrap(text: str, width: int = 64) -> str:
    """Text broken into lines for a chart title or axis title (plotly does not wrap them);
    escaped, as plotly reads a subset of HTML in them."""
    return "<br>".join(html.escape(line) for line in textwrap.wrap(str(text), width)) or ""


def base_layout(fig: go.Figure, title: str | None = None, height: int = 380,
                legend: bool = True, title_width: int = 64) -> go.Figure:
    """Our plain house layout: white, light grid, legend on the right, hover across traces.
    A long title is wrapped (at `title_width` characters) and the top margin grows with it."""
    text = wrap(title, title_width) if title else None
    lines = text.count("<br>") + 1 if text else 0
    fig.update_layout(
        template="none",
        title={"text": text, "x": 0.0, "xanchor": "left", "font": {"size": 15}} if title
        else None,
        height=height + 18 * max(lines - 1, 0),
        margin={"l": 64, "r": 16, "t": 30 + 18 * lines if title else 20, "b": 44},
        font={"family": FONT, "size": 12, "color": "#222"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=legend,
        legend={"bgcolor": "rgba(255,255,255,0.8)", "font": {"size": 11}},
        hoverlabel={"font": {"family": FONT}},
        hovermode="closest",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#ececec", zeroline=False, linecolor="#999",
                     showline=True, ticks="outside", tickcolor="#999", automargin=True)
    fig.update_yaxes(showgrid=True, gridcolor="#ececec", zeroline=False, linecolor="#999",
                     showline=True, ticks="outside", tickcolor="#999", automargin=True)
    return fig


def year_axis(fig: go.Figure, years: Sequence[float], **where: int) -> None:
    """An x axis of years: whole years without a thousands separator ('1,947.5'), one tick a
    year when there are few."""
    ys = np.asarray(years, dtype=float)
    ys = ys[np.isfinite(ys)]
    span = float(ys.max() - ys.min()) if ys.size else 0.0
    fig.update_xaxes(tickformat="d", dtick=1 if span <= 12 else None, **where)


def band_traces(x: Sequence, low: Sequence, mid: Sequence, high: Sequence, name: str,
                colour: str, unit: str = "", group: str | None = None, xaxis: str = "x",
                yaxis: str = "y", showlegend: bool = True, hover_x: str = "%{x}",
                dash: str | None = None) -> list[go.Scatter]:
    """Median line with its 5-95% band (three traces; the band toggles with the line)."""
    group = group or name
    common = {"x": x, "legendgroup": group, "xaxis": xaxis, "yaxis": yaxis}
    return [
        go.Scatter(y=high, mode="lines", line={"width": 0}, hoverinfo="skip",
                   showlegend=False, name=f"{name} 95%", **common),
        go.Scatter(y=low, mode="lines", line={"width": 0}, fill="tonexty",
                   fillcolor=rgba(colour, 0.18), hoverinfo="skip", showlegend=False,
                   name=f"{name} 5%", **common),
        go.Scatter(y=mid, mode="lines", line={"color": colour, "width": 2.2, "dash": dash},
                   name=name, showlegend=showlegend,
                   hovertemplate=f"{html.escape(name)}<br>{hover_x}: %{{y:.4g}} {unit}"
                                 "<extra>median</extra>", **common),
    ]


# -- small widgets ------------------------------------------------------------------------------

def esc(text: object) -> str:
    """Text for HTML (None and nan as an em dash)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return "—"
    return html.escape(str(text))


def fmt(x: object, digits: int = 3) -> str:
    """A number for a table: significant digits, thousands separators, nan as an em dash."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if math.isnan(x):
            return "—"
        if x != 0 and (abs(x) >= 1e12 or abs(x) < 1e-3):
            return f"{x:.{digits}g}"
        if abs(x) >= 1000 or x == int(x):
            return f"{x:,.0f}"
        return f"{x:.{digits}g}"
    return esc(x)


def pct(x: float) -> str:
    """A share as a percentage."""
    return "—" if x is None or math.isnan(x) else f"{100 * x:.0f}%"


def badge(label: str) -> str:
    """The verdict of a claim as a coloured badge, its word written out."""
    colour = VERDICT_COLOURS.get(label, VERDICT_OTHER)
    return f'<span class="badge" style="background:{colour}">{esc(label)}</span>'


def share_gauge(share: float, low: float, high: float, label: str, width: int = 260) -> str:
    """An inline SVG: the share of runs supporting a claim, its interval, and the half mark."""
    colour = VERDICT_COLOURS.get(label, VERDICT_OTHER)
    pad, h = 12, 26
    span = width - 2 * pad

    def x(v: float) -> float:
        v = 0.0 if v is None or math.isnan(v) else min(max(v, 0.0), 1.0)
        return pad + v * span

    ticks = "".join(
        f'<line x1="{x(t):.1f}" y1="16" x2="{x(t):.1f}" y2="20" stroke="#999"/>'
        f'<text x="{x(t):.1f}" y="{h}" font-size="8" text-anchor="middle" fill="#777">'
        f"{int(100 * t)}%</text>" for t in (0.0, 0.5, 1.0))
    title = (f"share supporting {pct(share)}, 95% Wilson interval {pct(low)} to {pct(high)}")
    point = ("" if share is None or math.isnan(share) else
             f'<circle cx="{x(share):.1f}" cy="9" r="4.5" fill="{colour}" stroke="white"/>')
    return (
        f'<svg class="gauge" width="{width}" height="{h}" role="img" aria-label="{esc(title)}">'
        f"<title>{esc(title)}</title>"
        f'<line x1="{pad}" y1="9" x2="{width - pad}" y2="9" stroke="#ddd" stroke-width="6"'
        ' stroke-linecap="round"/>'
        f'<line x1="{x(low):.1f}" y1="9" x2="{x(high):.1f}" y2="9" stroke="{colour}"'
        ' stroke-opacity="0.45" stroke-width="8" stroke-linecap="round"/>'
        f'<line x1="{x(0.5):.1f}" y1="2" x2="{x(0.5):.1f}" y2="16" stroke="#555"'
        ' stroke-dasharray="2,2"/>'
        f"{point}{ticks}</svg>")


def table(header: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "data",
          raw: bool = False) -> str:
    """An HTML table; cells are escaped unless `raw` (then they are HTML already)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{c if raw else esc(c)}</td>" for c in row) + "</tr>"
        for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _value(v: object, key: str = "") -> str:
    """A meta.json value for a table cell: lists joined, tables as name = value pairs; seeds
    and ids as they are written, without thousands separators."""
    if isinstance(v, int) and not isinstance(v, bool) and ("seed" in key or key.endswith("id")):
        return str(v)
    if isinstance(v, dict):
        return "; ".join(f"{esc(k)} = {_value(x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return ", ".join(_value(x) for x in v)
    return esc(v) if isinstance(v, str) else fmt(v)


def kv_table(items: Iterable[tuple[str, object]]) -> str:
    """A two-column table of names and values (the meta.json of a folder); a long table of
    values (a run's drawn parameters) folds away."""
    rows = "".join(
        f"<tr><th>{esc(k)}</th><td>"
        + (f"<details><summary>{len(v)} values</summary>{_value(v)}</details>"
           if isinstance(v, dict) and len(v) > 6 else _value(v, k)) + "</td></tr>"
        for k, v in items)
    return f'<table class="kv">{rows}</table>'


# -- the page -----------------------------------------------------------------------------------

CSS = """
:root { --ink:#1f2328; --muted:#59636e; --line:#d8dee4; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; font-family:FONT_FAMILY; color:var(--ink); background:white; line-height:1.45; }
header.top { background:#1f2328; color:white; padding:18px 32px 14px; }
header.top h1 { margin:0 0 4px; font-size:22px; font-weight:650; }
header.top p { margin:0; color:#c9d1d9; font-size:13px; }
nav.toc { position:sticky; top:0; z-index:10; background:var(--bg); border-bottom:1px solid
  var(--line); padding:6px 32px; font-size:13px; white-space:nowrap; overflow-x:auto; }
nav.toc a { color:#0b57d0; text-decoration:none; margin-right:14px; }
main { max-width:1320px; margin:0 auto; padding:8px 32px 48px; }
section { border-top:1px solid var(--line); padding-top:6px; margin-top:26px; }
h2 { font-size:20px; margin:10px 0 6px; }
h3 { font-size:16px; margin:20px 0 6px; }
p.note, .note { color:var(--muted); font-size:13px; }
blockquote.statement { margin:8px 0 12px; padding:8px 14px; border-left:4px solid #8b949e;
  background:var(--bg); font-size:15px; }
.badge { display:inline-block; min-width:92px; text-align:center; color:white; font-weight:650;
  font-size:13px; letter-spacing:.02em; padding:3px 10px; border-radius:12px;
  vertical-align:middle; }
.verdict { display:flex; flex-wrap:wrap; align-items:center; gap:10px 18px; margin:6px 0 4px; }
.verdict .big { font-size:26px; font-weight:700; }
svg.gauge { vertical-align:middle; }
.grid { display:grid; grid-template-columns:repeat(2, minmax(0, 1fr)); gap:8px 22px; }
@media (max-width: 1100px) { .grid { grid-template-columns:minmax(0, 1fr); } }
figure.chart { margin:8px 0; min-width:0; }
figure.chart figcaption { color:var(--muted); font-size:12.5px; margin:2px 4px 0; }
table { border-collapse:collapse; font-size:13px; margin:6px 0 10px; }
table.data th, table.data td { border-bottom:1px solid var(--line); padding:4px 10px;
  text-align:left; vertical-align:top; }
table.data th { background:var(--bg); font-weight:600; }
table.data td.num, table.data th.num { text-align:right; font-variant-numeric:tabular-nums; }
table.kv th { text-align:left; color:var(--muted); font-weight:500; padding:1px 14px 1px 0; }
table.kv td { padding:1px 0; }
table.board td { vertical-align:middle; }
tr.best td { background:#eef8f0; }
tr.baseline td { color:var(--muted); font-style:italic; }
tr.history td { background:#fff8e6; }
details { margin:6px 0; }
summary { cursor:pointer; color:#0b57d0; font-size:13px; }
footer { color:var(--muted); font-size:12px; padding:18px 32px; border-top:1px solid var(--line); }
""".replace("FONT_FAMILY", FONT)


# Each chart is drawn while the page is still being parsed, at the width its box has then; once
# everything is laid out, one resize event lets plotly (config responsive) fit every chart.
RESIZE = ('<script type="text/javascript">window.addEventListener("load", function () '
          '{ window.dispatchEvent(new Event("resize")); });</script>')


@dataclass
class Page:
    """A report page being assembled: sections of HTML and charts, then `render()`."""

    title: str
    subtitle: str = ""
    parts: list[str] = field(default_factory=list)
    toc: list[tuple[str, str]] = field(default_factory=list)
    n_charts: int = 0
    _open: bool = field(default=False, init=False, repr=False)  # a <section> awaits its end

    def section(self, anchor: str, title: str, toc: bool = True) -> None:
        """Open a new top-level section (closing the previous one)."""
        if self.parts and self._open:
            self.parts.append("</section>")
        self.parts.append(f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>')
        self._open = True
        if toc:
            self.toc.append((anchor, title))

    def add(self, fragment: str) -> None:
        """Append raw HTML."""
        self.parts.append(fragment)

    def chart_html(self, fig: go.Figure, caption: str = "") -> str:
        """A figure as an HTML fragment (counted among the page's charts)."""
        self.n_charts += 1
        height = fig.layout.height or 380
        div = fig.to_html(full_html=False, include_plotlyjs=False, config=CONFIG,
                          div_id=f"chart-{self.n_charts}", default_width="100%",
                          default_height=f"{height}px")
        cap = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f'<figure class="chart">{div}{cap}</figure>'

    def chart(self, fig: go.Figure, caption: str = "") -> None:
        """Append one chart, full width."""
        self.parts.append(self.chart_html(fig, caption))

    def grid(self, fragments: Sequence[str]) -> None:
        """Append charts side by side where the window is wide enough."""
        if fragments:
            self.parts.append('<div class="grid">' + "".join(fragments) + "</div>")

    def render(self, footer: str = "") -> str:
        """The whole page, plotly.js embedded once in the head."""
        body = "".join(self.parts) + ("</section>" if self._open else "")
        nav = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t in self.toc)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            # the mark by which sovsim knows its own reports (io.folders.kind_of)
            f'<meta name="generator" content="sovsim report {esc(__version__)}">'
            f"<title>{esc(self.title)}</title><style>{CSS}</style>"
            '<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: "local"};'
            "</script>\n"
            f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
            "</head><body>"
            f'<header class="top"><h1>{esc(self.title)}</h1><p>{self.subtitle}</p></header>'
            f'<nav class="toc">{nav}</nav><main>{body}</main>'
            f"<footer>{footer}</footer>{RESIZE}</body></html>\n")
