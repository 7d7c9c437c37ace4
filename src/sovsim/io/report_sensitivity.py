"""The claims page's answer to "which assumptions decide this verdict?" when a folder holds
global sensitivity indices (`sovsim sensitivity`): Sobol' first- and total-order indices, or
Morris mu* and sigma, with their 95% bootstrap intervals, and a sentence naming the decisive
parameters."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa

from sovsim.io.report_html import PALETTE, Page, base_layout, esc

MAX_PARAMETERS = 12      # parameters drawn in the chart
DECISIVE_ST = 0.05       # a total-order index below this leaves the effect to the others
NAMED = 3                # parameters named in the sentence


def is_global(sens: pa.Table | None) -> bool:
    """Whether a sensitivity table holds global indices (not the claims' rank correlations)."""
    return sens is not None and {"index", "value", "parameter"} <= set(sens.column_names)


def _rows(sens: pa.Table) -> tuple[str, dict[str, dict[str, tuple[float, float]]], list[str]]:
    """(method, {parameter: {index: (value, ci)}}, parameters by rank)."""
    rows = sens.to_pylist()
    method = str(rows[0].get("method") or ("sobol" if any(r["index"] == "ST" for r in rows)
                                           else "morris"))
    table: dict[str, dict[str, tuple[float, float]]] = {}
    rank: dict[str, int] = {}
    for r in rows:
        value = float("nan") if r["value"] is None else float(r["value"])
        ci = float("nan") if r.get("ci") is None else float(r["ci"])
        table.setdefault(str(r["parameter"]), {})[str(r["index"])] = (value, ci)
        rank[str(r["parameter"])] = int(r.get("rank") or 0)
    ordered = sorted(table, key=lambda p: (rank[p], p))
    return method, table, ordered


def indices_chart(page: Page, sens: pa.Table) -> str:
    """Bars of each parameter's indices with their 95% intervals, the most decisive on top."""
    method, table, ordered = _rows(sens)
    shown = ordered[:MAX_PARAMETERS]
    names = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    labels = {"S1": "first order S1", "ST": "total order ST", "mu_star": "mu*",
              "sigma": "sigma"}
    fig = go.Figure()
    for k, idx in enumerate(names):
        v = np.array([table[p].get(idx, (math.nan, math.nan))[0] for p in shown])
        ci = np.array([table[p].get(idx, (math.nan, math.nan))[1] for p in shown])
        fig.add_trace(go.Bar(
            x=v, y=shown, orientation="h", name=labels[idx], marker_color=PALETTE[k],
            error_x={"type": "data", "array": np.nan_to_num(ci), "visible": bool(
                np.isfinite(ci).any())},
            hovertemplate=f"%{{y}}: {labels[idx]} %{{x:.3f}}<extra></extra>"))
    title = ("Which assumptions decide it: Sobol' indices" if method == "sobol"
             else "Which assumptions decide it: Morris screening")
    base_layout(fig, title, height=max(320, 34 * len(shown) + 120))
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_xaxes(title="share of the effect's variance" if method == "sobol"
                     else "elementary effect per unit of prior probability",
                     zeroline=True, zerolinecolor="#555")
    more = (f" The {len(shown)} most decisive of {len(ordered)}." if len(ordered) > len(shown)
            else "")
    caption = ("S1: the share of the effect's variance the parameter explains alone; ST: with "
               "its interactions (ST near 0: it can be fixed anywhere in its prior). Whiskers: "
               "95% bootstrap intervals." if method == "sobol" else
               "mu*: mean absolute elementary effect (influence); sigma: their spread "
               "(non-linearity or interactions). Whiskers: 95% bootstrap intervals of mu*.")
    return page.chart_html(fig, caption + more)


def decided_by(sens: pa.Table) -> str:
    """One paragraph: the parameters that decide the claim's effect, by these indices."""
    method, table, ordered = _rows(sens)
    if method == "sobol":
        key = "ST"
        finite = [p for p in ordered if math.isfinite(table[p].get(key, (math.nan, 0))[0])]
        if not finite:
            return ('<p class="note">The indices could not be estimated (the effect was '
                    "undefined or the same at every point).</p>")
        top = [p for p in finite if table[p][key][0] >= DECISIVE_ST][:NAMED] or finite[:1]
        parts = [f"<b>{esc(p)}</b> (ST {table[p]['ST'][0]:.2f} ± {table[p]['ST'][1]:.2f}, "
                 f"S1 {table[p]['S1'][0]:.2f})" for p in top]
        s1 = sum(table[p]['S1'][0] for p in finite if math.isfinite(table[p]['S1'][0]))
        idle = sum(1 for p in finite if table[p][key][0] + table[p][key][1] < DECISIVE_ST)
        lead = table[top[0]][key]
        if not lead[0] - lead[1] > 0 or s1 > 1 or lead[0] > 1:
            # indices live in [0, 1] and S1 sums to at most 1: beyond that is sampling error
            return (f"<p>Not decided at this size of design: the largest total-order index, "
                    f"{parts[0]}, has a 95% interval that reaches zero, or the estimates leave "
                    f"[0, 1] (first-order sum {s1:.2f}), which only sampling error allows. "
                    "Raise <code>--n</code> before reading an order into them.</p>")
        rest = (f"the remaining {1 - s1:.2f} of the variance comes from interactions"
                if s1 < 1 else "no variance is left to interactions")
        return (f"<p>By Sobol' indices the effect is decided by {', '.join(parts)}. The "
                f"first-order indices sum to {s1:.2f} ({rest}); {idle} of {len(finite)} "
                f"parameters have a total-order index whose 95% interval lies below "
                f"{DECISIVE_ST}: they could be fixed anywhere in their priors without changing "
                "the effect's spread.</p>")
    key = "mu_star"
    finite = [p for p in ordered if math.isfinite(table[p].get(key, (math.nan, 0))[0])]
    if not finite:
        return ('<p class="note">The elementary effects could not be estimated (the effect '
                "was undefined or the same at every point).</p>")
    parts = [f"<b>{esc(p)}</b> (mu* {table[p]['mu_star'][0]:.3g}, sigma "
             f"{table[p]['sigma'][0]:.3g})" for p in finite[:NAMED]]
    return (f"<p>By Morris screening the most influential parameters are {', '.join(parts)}. "
            "A sigma as large as mu* means the parameter acts non-linearly or through "
            "interactions; Sobol' indices (<code>sovsim sensitivity --method sobol</code>) "
            "apportion the variance.</p>")


__all__ = ["decided_by", "indices_chart", "is_global"]
