"""The report of a claims folder: each claim of the essay with its verdict and the charts behind
it (MODEL.md §6): the effect across runs, scenario against counterfactual over time, the
parameters that decide it, and for C4 each theory's course against the dated turns of history.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa
from plotly.subplots import make_subplots

from sovsim.authorities.course import Turn, first_of_runs, mean_spacing, soviet_turns
from sovsim.engine.results import (
    CLASS_VARIABLES,
    POLITICS_CLASS_VARIABLES,
    POLITICS_REGION_VARIABLES,
    REGION_VARIABLES,
    WORLD_VARIABLES,
)
from sovsim.io import report_data as data
from sovsim.io.report_html import (
    PALETTE,
    VERDICT_COLOURS,
    Page,
    badge,
    band_traces,
    base_layout,
    colour_of,
    esc,
    fmt,
    kv_table,
    label_colour,
    pct,
    share_gauge,
    table,
    year_axis,
)
from sovsim.io.report_run import turn_shapes
from sovsim.io.report_sensitivity import decided_by, indices_chart, is_global
from sovsim.world.names import CLASSES

REQUIRED = ("verdicts",)
OPTIONAL = ("runs", "series", "sensitivity", "c4", "labels")
C4 = "C4"
MAX_SERIES_CHARTS = 8       # per claim; beyond this the reader is told how many were left out
MAX_LABEL_SUBJECTS = 16
MAX_PANELS = 12             # regions drawn for one variable
MAX_PARAMETERS = 12         # bars in a sensitivity chart
RUNS_DRAWN = 3              # single runs drawn over each theory's band in the C4 chart
SUPPORTS = {True: ("supports the claim", VERDICT_COLOURS["supported"]),
            False: ("does not support it", VERDICT_COLOURS["refuted"])}
# legends of the half-width charts go under the plot: on the right they would squeeze it
BOTTOM_LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top"}
UNITS: dict[str, str] = {name: unit for table_ in (REGION_VARIABLES, POLITICS_REGION_VARIABLES,
                                                   CLASS_VARIABLES, POLITICS_CLASS_VARIABLES,
                                                   WORLD_VARIABLES)
                         for name, (unit, _) in table_.items()}


@dataclass
class ClaimsData:
    """The tables of a claims folder (an absent optional table is None)."""

    folder: Path
    meta: dict
    verdicts: pa.Table
    runs: pa.Table | None = None
    series: pa.Table | None = None
    sensitivity: pa.Table | None = None
    c4: pa.Table | None = None
    labels: pa.Table | None = None

    def of(self, name: str, claim: str) -> pa.Table | None:
        """The rows of table `name` that belong to `claim` (None if absent or empty)."""
        t = getattr(self, name)
        if t is None or "claim" not in t.column_names:
            return None
        sub = data.where(t, claim=claim)
        return sub if sub.num_rows else None


def unit_of(variable: str) -> str:
    """The unit of an output variable, also of a derived one named `<variable>_<CLASS>`."""
    if variable in UNITS:
        return UNITS[variable]
    base, _, suffix = variable.rpartition("_")
    return UNITS.get(base, "") if suffix in CLASSES else ""


def load_claims(folder: Path) -> ClaimsData:
    """Read a claims folder; ValueError when its verdicts table is missing."""
    meta = json.loads((folder / "meta.json").read_text())
    verdicts = data.read(folder, "verdicts")
    if verdicts is None:
        raise ValueError(f"{folder}: a claims folder without verdicts.parquet")
    return ClaimsData(folder, meta, verdicts,
                      **{name: data.read(folder, name) for name in OPTIONAL})


def _f(x: object) -> float:
    """A number of a row, None as nan."""
    return float("nan") if x is None else float(x)


# -- the page -----------------------------------------------------------------------------------

def claims_sections(page: Page, claims: ClaimsData) -> None:
    """The board of verdicts, then one section per claim."""
    verdicts = claims.verdicts.to_pylist()
    page.section("verdicts", "Verdicts")
    page.add(_board(verdicts))
    meta = {k: v for k, v in claims.meta.items() if k != "claims"}
    page.add(kv_table(meta.items()))
    page.add('<p class="note">A claim is supported when nearly every run supports it (the '
             "lower bound of the 95% Wilson interval of its share is at least 0.9), refuted when "
             "nearly none does (the upper bound is at most 0.1), and undecided otherwise; with "
             "fewer than 35 runs even a unanimous share stays undecided. The model reports; it "
             "does not advocate.</p>")
    ids = [str(v["claim"]) for v in verdicts]
    labels = claims.labels if claims.labels is not None and claims.labels.num_rows else None
    by_claim = labels is not None and "claim" in labels.column_names
    # labels.parquet has no claim column in the folder's layout: its labels are those of C1's
    # experiment (Soviet expansion by class criteria), the one claim measured by labels
    home = None if by_claim or labels is None else ("C1" if "C1" in ids else None)
    for v in verdicts:
        cid = str(v["claim"])
        own = claims.of("labels", cid) if by_claim else (labels if cid == home else None)
        _claim_section(page, claims, v, own)
    if labels is not None and not by_claim and home is None:
        page.section("labels", "Classifier labels")
        _labels_charts(page, labels)


def _board(verdicts: list[dict]) -> str:
    rows = []
    for v in verdicts:
        effect = (f"{esc(v.get('effect_name'))}: {fmt(_f(v.get('effect_median')))} "
                  f"[{fmt(_f(v.get('effect_low')))}, {fmt(_f(v.get('effect_high')))}] "
                  f"{esc(v.get('effect_unit'))}")
        rows.append([
            f'<a href="#claim-{esc(v["claim"])}"><b>{esc(v["claim"])}</b></a>',
            esc(v.get("title")),
            badge(str(v.get("label"))),
            f"<b>{pct(_f(v.get('share')))}</b> ({v.get('n_support')} of {v.get('n_runs')})",
            share_gauge(_f(v.get("share")), _f(v.get("share_low")), _f(v.get("share_high")),
                        str(v.get("label")), width=200),
            effect,
        ])
    return table(["claim", "title", "verdict", "runs supporting", "share, 95% interval",
                  "effect: median [5%, 95%] unit"], rows, cls="data board", raw=True)


def _claim_section(page: Page, claims: ClaimsData, v: dict, labels: pa.Table | None) -> None:
    """One claim: verdict, statement, effect, and the charts behind them."""
    cid = str(v["claim"])
    page.section(f"claim-{cid}", f"{cid}. {v.get('title') or ''}")
    label = str(v.get("label"))
    page.add(
        f'<div class="verdict">{badge(label)}<span class="big">{pct(_f(v.get("share")))}</span>'
        f"{share_gauge(_f(v.get('share')), _f(v.get('share_low')), _f(v.get('share_high')), label)}"
        f"<span>{v.get('n_support')} of {v.get('n_runs')} runs support the claim; 95% Wilson "
        f"interval {pct(_f(v.get('share_low')))} to {pct(_f(v.get('share_high')))}</span></div>")
    page.add(f'<blockquote class="statement">{esc(v.get("statement"))}</blockquote>')
    page.add(f"<p>Effect measured: <b>{esc(v.get('effect_name'))}</b>, median "
             f"<b>{fmt(_f(v.get('effect_median')))}</b> {esc(v.get('effect_unit'))} "
             f"(5% to 95% of runs: {fmt(_f(v.get('effect_low')))} to "
             f"{fmt(_f(v.get('effect_high')))}).</p>")
    runs = claims.of("runs", cid)
    sens = claims.of("sensitivity", cid)
    charts = []
    if runs is not None:
        charts.append(_effect_chart(page, runs, v))
    if is_global(sens):
        # global indices (`sovsim sensitivity`) answer which assumptions decide the verdict
        charts.append(indices_chart(page, sens))
    elif sens is not None:
        charts.append(_sensitivity_chart(page, sens))
        if runs is not None:
            scatter = _top_parameter_chart(page, runs, sens, v)
            if scatter:
                charts.append(scatter)
    page.grid(charts)
    if is_global(sens):
        page.add(decided_by(sens))
    if runs is None and sens is None:
        page.add('<p class="note">No runs or sensitivity table for this claim.</p>')
    elif sens is None:
        page.add('<p class="note">No parameter sensitivity was recorded for this claim (a '
                 "rank correlation needs an outcome that varies across runs).</p>")
    series = claims.of("series", cid)
    if cid == C4 and series is not None:
        _c4_course(page, series)
    elif series is not None:
        _series_charts(page, series)
    if cid == C4 and claims.c4 is not None and claims.c4.num_rows:
        _c4_scores(page, claims.c4, series)
    if labels is not None and labels.num_rows:
        _labels_charts(page, labels)


# -- generic charts of a claim ------------------------------------------------------------------

def _effect_chart(page: Page, runs: pa.Table, v: dict) -> str:
    """Histogram of the effect across runs, split by whether the run supports the claim, over a
    strip of the runs themselves (hover one for its id and seed)."""
    effect = data.column(runs, "effect")
    supports = data.column(runs, "supports") if "supports" in runs.column_names else \
        np.full(effect.size, None, dtype=object)
    run_id = data.column(runs, "run_id") if "run_id" in runs.column_names else \
        np.arange(effect.size)
    seed = data.column(runs, "seed") if "seed" in runs.column_names else \
        np.full(effect.size, np.nan)
    unit = str(v.get("effect_unit") or "")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22],
                        vertical_spacing=0.03)
    rng = np.random.default_rng(0)            # jitter of the strip; fixed so reports are stable
    finite = effect[np.isfinite(effect)]
    bins = None
    if finite.size and np.ptp(finite) == 0:
        # every run measured the same effect: one narrow bar, not plotly's unit-wide bin
        w = max(abs(float(finite[0])) * 0.02, 1e-3)
        bins = {"start": float(finite[0]) - w / 2, "end": float(finite[0]) + w / 2, "size": w}
    for flag in (True, False, None):
        sel = np.array([s is flag for s in supports]) & ~np.isnan(effect)
        if not sel.any():
            continue
        name, colour = SUPPORTS.get(flag, ("support unknown", "#888888"))
        fig.add_trace(go.Histogram(x=effect[sel], name=name, marker_color=colour,
                                   opacity=0.85, legendgroup=name, nbinsx=30, xbins=bins,
                                   hovertemplate=f"%{{x}} {esc(unit)}: %{{y}} runs"
                                                 "<extra></extra>"), row=1, col=1)
        fig.add_trace(go.Scatter(
            x=effect[sel], y=rng.uniform(-1, 1, sel.sum()), mode="markers", name=name,
            legendgroup=name, showlegend=False,
            marker={"color": colour, "size": 6, "opacity": 0.7},
            customdata=np.stack([run_id[sel].astype(str), seed[sel].astype(str)], axis=1),
            hovertemplate=f"run %{{customdata[0]}} (seed %{{customdata[1]}}): %{{x:.4g}} "
                          f"{esc(unit)}<extra></extra>"), row=2, col=1)
    lo, mid, hi = (_f(v.get(k)) for k in ("effect_low", "effect_median", "effect_high"))
    if not (math.isnan(lo) or math.isnan(hi)):
        fig.add_vrect(x0=lo, x1=hi, fillcolor="#999", opacity=0.12, line_width=0)
    if not math.isnan(mid):
        fig.add_vline(x=mid, line={"color": "#333", "dash": "dash", "width": 1.5})
    base_layout(fig, f"{v.get('effect_name') or 'effect'}: across runs", height=400)
    fig.update_layout(barmode="stack", bargap=0.05, legend=BOTTOM_LEGEND)
    fig.update_yaxes(title="runs", row=1, col=1)
    fig.update_yaxes(visible=False, row=2, col=1)
    fig.update_xaxes(title=f"effect [{unit}]", row=2, col=1)
    status = Counter(str(s) for s in data.column(runs, "status")) \
        if "status" in runs.column_names else Counter()
    nan = int(np.isnan(effect).sum())
    note = ", ".join(f"{n} {esc(s)}" for s, n in status.most_common())
    return page.chart_html(fig, "Dashed line: median; grey band: 5% to 95% of runs. "
                                f"Run status: {note or 'not recorded'}"
                                + (f"; {nan} runs without an effect are not drawn." if nan
                                   else "."))


def _sensitivity_chart(page: Page, sens: pa.Table) -> str:
    """Spearman rank correlations of the drawn parameters, the most decisive on top."""
    rows = sorted(sens.to_pylist(), key=lambda r: (r.get("rank") is None, r.get("rank") or 0,
                                                  -abs(_f(r.get("spearman")))))[:MAX_PARAMETERS]
    rho = np.array([_f(r["spearman"]) for r in rows])
    names = [str(r["parameter"]) for r in rows]
    fig = go.Figure(go.Bar(
        x=rho, y=names, orientation="h",
        marker_color=[PALETTE[0] if x >= 0 else PALETTE[1] for x in np.nan_to_num(rho)],
        customdata=[r.get("rank") for r in rows],
        hovertemplate="%{y}: Spearman %{x:.2f} (rank %{customdata})<extra></extra>"))
    base_layout(fig, "Parameters that decide it", height=max(300, 28 * len(rows) + 110),
                legend=False)
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_xaxes(range=[-1, 1], title="Spearman rank correlation with the outcome",
                     zeroline=True, zerolinecolor="#555")
    more = f" The {len(rows)} most decisive of {sens.num_rows}." if sens.num_rows > len(rows) \
        else ""
    return page.chart_html(fig, "Blue: a larger parameter value goes with a larger outcome; "
                                "orange: with a smaller one." + more)


def _top_parameter_chart(page: Page, runs: pa.Table, sens: pa.Table, v: dict) -> str | None:
    """The effect of each run against the parameter ranked most decisive."""
    rows = sorted(sens.to_pylist(), key=lambda r: (r.get("rank") is None, r.get("rank") or 0))
    if not rows or f"par_{rows[0]['parameter']}" not in runs.column_names:
        return None
    par = str(rows[0]["parameter"])
    x = data.column(runs, f"par_{par}")
    y = data.column(runs, "effect")
    supports = data.column(runs, "supports") if "supports" in runs.column_names else \
        np.full(y.size, None, dtype=object)
    fig = go.Figure()
    for flag in (True, False, None):
        sel = np.array([s is flag for s in supports])
        if sel.any():
            name, colour = SUPPORTS.get(flag, ("support unknown", "#888888"))
            fig.add_trace(go.Scatter(x=x[sel], y=y[sel], mode="markers", name=name,
                                     marker={"color": colour, "size": 7, "opacity": 0.75},
                                     hovertemplate=f"{esc(par)} %{{x:.3g}}: effect %{{y:.4g}}"
                                                   "<extra></extra>"))
    base_layout(fig, f"Effect against {par} (the most decisive)", height=400)
    fig.update_xaxes(title=par)
    fig.update_yaxes(title=f"effect [{v.get('effect_unit') or ''}]")
    fig.update_layout(legend=BOTTOM_LEGEND)
    return page.chart_html(fig)


def _series_charts(page: Page, series: pa.Table) -> None:
    """Each variant's median and 5-95% band over time: per variable, one panel per region (a
    variable of one region gets a half-width chart, one of several regions a row of small
    multiples sharing one legend)."""
    variants = data.uniques(series, "variant")
    colours = {v: colour_of(str(v), i) for i, v in enumerate(variants)}
    variables = data.uniques(series, "variable")
    page.add("<h3>Scenario against counterfactual</h3>")
    singles = []
    for var in variables[:MAX_SERIES_CHARTS]:
        sub = data.where(series, variable=var)
        regions = data.uniques(sub, "region")[:MAX_PANELS]
        unit = unit_of(str(var))
        cols = 1 if len(regions) == 1 else min(3, len(regions))
        rows = -(-len(regions) // cols)
        fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, vertical_spacing=0.12 /
                            max(rows - 1, 1) if rows > 1 else 0.1, horizontal_spacing=0.06,
                            subplot_titles=[str(r) for r in regions] if cols > 1 else None)
        shown: set[str] = set()
        for k, region in enumerate(regions):
            axis = "" if k == 0 else str(k + 1)
            part_r = data.where(sub, region=region)
            for variant in variants:
                part = data.where(part_r, variant=variant)
                if part.num_rows == 0:
                    continue
                x, lo, mid, hi = data.quantile_bands(data.column(part, "year"),
                                                     data.column(part, "value"))
                for tr in band_traces(x, lo, mid, hi, str(variant), colours[variant], unit,
                                      hover_x=f"{esc(region)} %{{x:.1f}}", xaxis=f"x{axis}",
                                      yaxis=f"y{axis}", showlegend=variant not in shown):
                    fig.add_trace(tr)
                shown.add(variant)
        runs = len(data.uniques(sub, "run_id"))
        title = f"{var} [{unit}]" if unit else str(var)
        if cols == 1:
            title += f" in {regions[0]}"
        base_layout(fig, title, height=360 if rows == 1 else 240 * rows + 60,
                    title_width=60 if cols == 1 else 120)
        year_axis(fig, data.column(sub, "year"))
        fig.update_xaxes(showticklabels=True)     # an incomplete last row hides none
        fig.update_annotations(font_size=12)
        fig.update_layout(legend=BOTTOM_LEGEND if cols == 1 else {"groupclick": "togglegroup"})
        caption = f"Median across runs (line) and 5% to 95% (band); {runs} runs."
        if cols == 1:
            singles.append(page.chart_html(fig, caption))
        else:
            page.grid(singles)
            singles = []
            page.chart(fig, caption)
    page.grid(singles)
    if len(variables) > MAX_SERIES_CHARTS:
        page.add(f'<p class="note">{len(variables) - MAX_SERIES_CHARTS} more variables of this '
                 "claim are in series.parquet.</p>")


def _labels_charts(page: Page, labels: pa.Table) -> None:
    """Share of runs giving each label to a subject, year by year: one row of panels per
    subject, one column per variant."""
    page.add("<h3>Labels by class criteria across runs</h3>")
    variants = data.uniques(labels, "variant") if "variant" in labels.column_names else [None]
    all_labels = data.uniques(labels, "label")
    subjects = data.uniques(labels, "subject")[:MAX_LABEL_SUBJECTS]
    fig = make_subplots(rows=len(subjects), cols=len(variants), shared_xaxes=True,
                        shared_yaxes=True, horizontal_spacing=0.03,
                        vertical_spacing=0.25 / max(len(subjects), 1),
                        column_titles=[str(v) for v in variants] if variants[0] else None)
    shown: set[str] = set()
    for r, subject in enumerate(subjects, 1):
        for c, variant in enumerate(variants, 1):
            sub = data.where(labels, subject=subject, **({"variant": variant} if variant
                                                          else {}))
            if sub.num_rows == 0:
                continue
            years, yi = data.grid(data.column(sub, "year"))
            lab = data.column(sub, "label")
            total = np.bincount(yi, minlength=years.size).astype(float)
            for i, name in enumerate(all_labels):
                count = np.bincount(yi[lab == name], minlength=years.size)
                if not count.any():
                    continue
                colour = label_colour(name, i)
                fig.add_trace(go.Scatter(
                    x=years, y=count / total, name=name, stackgroup=f"s{r}-{c}", mode="lines",
                    line={"width": 0.5, "color": colour}, fillcolor=colour, legendgroup=name,
                    showlegend=name not in shown,
                    hovertemplate=f"{esc(subject)}, {esc(variant or '')} %{{x}}: {esc(name)} "
                                  "in %{y:.0%} of runs<extra></extra>"), row=r, col=c)
                shown.add(name)
        # the subject names the row, written level at its left
        axis = "" if r == 1 else str((r - 1) * len(variants) + 1)
        fig.add_annotation(text=esc(subject), xref="paper", x=-0.01, xanchor="right",
                           yref=f"y{axis} domain", y=0.5, showarrow=False, font={"size": 12})
    base_layout(fig, "Share of runs giving each label", height=80 * len(subjects) + 110)
    fig.update_layout(margin={"l": 190})
    fig.update_yaxes(range=[0, 1], tickvals=[0, 1], tickformat=".0%", showgrid=False)
    year_axis(fig, data.column(labels, "year"))
    page.chart(fig, "Each band: the share of runs in which the classifier gave the subject that "
                    "label that year.")
    n = len(data.uniques(labels, "subject"))
    if n > MAX_LABEL_SUBJECTS:
        page.add(f'<p class="note">{n - MAX_LABEL_SUBJECTS} more subjects are in '
                 "labels.parquet.</p>")


# -- C4: the zigzags ----------------------------------------------------------------------------

def _turns_within(lo: float, hi: float) -> list[Turn]:
    """Historical turns dated between fractional years lo and hi."""
    return [t for t in soviet_turns() if lo <= t.month / 12 <= hi]


def _c4_course(page: Page, series: pa.Table) -> None:
    """Each theory's course (band, median and a few single runs) against the dated turns."""
    course = data.where(series, variable="course")
    if course.num_rows == 0:
        _series_charts(page, series)
        return
    theories = data.uniques(course, "variant")
    years = data.column(course, "year")
    turns = _turns_within(float(np.nanmin(years)), float(np.nanmax(years)))
    page.add("<h3>Each theory's course against the dated historical turns</h3>")
    fig = make_subplots(rows=len(theories), cols=1, shared_xaxes=True, vertical_spacing=0.035,
                        subplot_titles=[str(t) for t in theories])
    shapes: list[dict] = []
    for i, theory in enumerate(theories):
        part = data.where(course, variant=theory)
        colour = colour_of(str(theory), i)
        axis = "" if i == 0 else str(i + 1)
        x, lo, mid, hi = data.quantile_bands(data.column(part, "year"),
                                             data.column(part, "value"))
        for tr in band_traces(x, lo, mid, hi, f"{theory} (median, 5-95%)", colour,
                              hover_x="%{x:.2f}", xaxis=f"x{axis}", yaxis=f"y{axis}"):
            fig.add_trace(tr)
        for k, run_id in enumerate(data.uniques(part, "run_id")[:RUNS_DRAWN]):
            one = data.where(part, run_id=run_id)
            order = np.argsort(data.column(one, "year"))
            fig.add_trace(go.Scatter(
                x=data.column(one, "year")[order], y=data.column(one, "value")[order],
                mode="lines", line={"color": colour, "width": 0.9},
                opacity=0.55, name=f"{theory}: single runs", legendgroup=f"{theory}-runs",
                showlegend=(k == 0),
                hovertemplate=f"{esc(theory)} run {esc(run_id)} %{{x:.2f}}: %{{y:.2f}}"
                              "<extra></extra>"), row=i + 1, col=1)
        shapes += turn_shapes(fig, turns, lambda t: t.month / 12, axis=axis, legend=(i == 0),
                              y_top=1.15)
        fig.update_yaxes(range=[-1.15, 1.3], tickvals=[-1, 0, 1], row=i + 1, col=1)
    base_layout(fig, height=200 * len(theories) + 120)
    fig.update_layout(shapes=shapes)
    fig.update_xaxes(title="year", row=len(theories), col=1)
    fig.update_layout(legend={"groupclick": "togglegroup"})
    fig.update_annotations(font_size=13, x=0.0, xanchor="left")
    page.chart(fig, (
        "Course x of the Soviet bureaucracy under each theory, shocks shared across theories "
        "(-1 concessions to the market, +1 crackdown). Band: 5% to 95% of runs; thick line: "
        f"median; thin lines: the first {RUNS_DRAWN} runs, whose zigzags a median smooths away. "
        f"Dotted verticals: the {len(turns)} dated historical turns (magenta, triangle up: "
        "toward state control; blue, triangle down: toward the market); hover the markers "
        "for the event."))


def _c4_scores(page: Page, c4: pa.Table, series: pa.Table | None) -> None:
    """Per theory: reversals, their spacing, and the timing scores; history as the target."""
    page.add("<h3>Zigzags per theory: reversals, spacing and timing</h3>")
    theories = data.uniques(c4, "theory")
    cols = ("reversals", "mean_spacing_months", "hist_matched", "sim_matched", "score")
    stats = {}
    for theory in theories:
        part = data.where(c4, theory=theory)
        stats[theory] = {c: data.column(part, c) for c in cols if c in part.column_names}
        stats[theory]["n"] = part.num_rows
    best = max(theories, key=lambda t: np.nanmean(stats[t]["score"])
               if "score" in stats[t] and np.isfinite(stats[t]["score"]).any() else -np.inf)

    def med(a: np.ndarray) -> str:
        a = a[np.isfinite(a)]
        if not a.size:
            return "—"
        lo, m, hi = np.quantile(a, [0.05, 0.5, 0.95])
        return f"{fmt(float(m))} [{fmt(float(lo))}, {fmt(float(hi))}]"

    def mean(a: np.ndarray) -> str:
        a = a[np.isfinite(a)]
        return fmt(float(a.mean())) if a.size else "—"

    rows = []
    for theory in theories:
        s = stats[theory]
        cls = "best" if theory == best else ("baseline" if theory == "shocks-only" else "")
        role = " (baseline: shocks only, no theory)" if theory == "shocks-only" else ""
        rows.append((cls, [esc(theory) + esc(role), fmt(s["n"]),
                           med(s["reversals"]) if "reversals" in s else "—",
                           med(s["mean_spacing_months"]) if "mean_spacing_months" in s else "—",
                           mean(s["hist_matched"]) if "hist_matched" in s else "—",
                           mean(s["sim_matched"]) if "sim_matched" in s else "—",
                           "<b>" + mean(s["score"]) + "</b>" if "score" in s else "—"]))
    history, n_history = _history_row(series)
    if history:
        rows.append(("history", history))
    header = ["theory", "runs", "reversals, median [5%, 95%]",
              "mean spacing, months, median [5%, 95%]", "historical turns matched (mean)",
              "reversals matching history (mean)", "timing score (mean)"]
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(f'<tr class="{cls}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
                   for cls, cells in rows)
    page.add(f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
    page.add(f'<p class="note">Highlighted: the best mean timing score ({esc(best)}). The last '
             "row is history itself: the dated turns that change direction (the first of each "
             "run of same-direction decrees) in the simulated years.</p>")
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=["timing score per run", "reversals per run"])
    for i, theory in enumerate(theories):
        colour = colour_of(str(theory), i)
        for c, col in ((1, "score"), (2, "reversals")):
            if col in stats[theory]:
                fig.add_trace(go.Box(y=stats[theory][col], name=str(theory),
                                     marker_color=colour, boxpoints="all", jitter=0.4,
                                     pointpos=0, showlegend=False,
                                     hovertemplate=f"{esc(theory)}: %{{y:.3g}}<extra>"
                                                   f"{col}</extra>"), row=1, col=c)
    if n_history is not None:
        # the reversals of history itself, the number each theory's runs should come near
        fig.add_hline(y=n_history, line={"color": "#8a5a00", "dash": "dash"},
                      annotation_text="history", annotation_position="top right", row=1, col=2)
    base_layout(fig, height=360, legend=False)
    fig.update_annotations(font_size=13)
    page.chart(fig)


def _history_row(series: pa.Table | None) -> tuple[list[str] | None, int | None]:
    """The historical row of the C4 table over the years the series cover, and its number of
    reversals (None, None without series or turns)."""
    if series is None or series.num_rows == 0:
        return None, None
    years = data.column(series, "year")
    turns = _turns_within(float(np.nanmin(years)), float(np.nanmax(years)))
    if not turns:
        return None, None
    months, _ = first_of_runs(np.array([t.month for t in turns]),
                              np.array([t.direction for t in turns]))
    return (["history (dated turns)", "1", fmt(int(months.size)), fmt(mean_spacing(months)),
             "1", "1", "—"], int(months.size))
