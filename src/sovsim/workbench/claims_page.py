"""The claims page: each claim's quotation, hypothesis, verdict, interval, effect, and the
assumptions that decide it, from a claims folder written by `sovsim claims`."""

from __future__ import annotations

import math
from pathlib import Path

from dash import html

from sovsim.claims.registry import load_registry
from sovsim.io.report_claims import load_claims

DECIDING = 3          # parameters shown as the assumptions that decide a claim
VERDICT_COLOURS = {"supported": "#1b7837", "refuted": "#b2182b", "undecided": "#b8860b"}


def _num(x: object) -> str:
    if x is None:
        return "n/a"
    x = float(x)
    return "n/a" if math.isnan(x) else f"{x:.3g}"


def _pct(x: object) -> str:
    return "n/a" if x is None or math.isnan(float(x)) else f"{100 * float(x):.0f}%"


def deciding(sensitivity: list[dict], claim: str) -> list[dict]:
    """The parameters whose drawn values move the claim's outcome most (rank correlation)."""
    rows = [r for r in sensitivity if r.get("claim") == claim and r.get("spearman") is not None
            and not math.isnan(float(r["spearman"]))]
    return sorted(rows, key=lambda r: -abs(float(r["spearman"])))[:DECIDING]


def claim_cards(folder: Path) -> list[html.Div]:
    """One card per verdict of the folder, in registry order."""
    claims = load_claims(folder)
    registry = load_registry()
    sens = claims.sensitivity.to_pylist() if claims.sensitivity is not None else []
    cards = []
    for v in claims.verdicts.to_pylist():
        cid = str(v["claim"])
        try:
            entry = registry.get(cid)
        except KeyError:
            entry = None
        label = str(v.get("label"))
        top = deciding(sens, cid)
        hyp = entry.hypothesis if entry is not None else None
        cards.append(html.Div(className="claim", id=f"claim-{cid}", children=[
            html.H3([f"{cid}. {v.get('title') or ''} ",
                     html.Span(label, className="verdict",
                               style={"background": VERDICT_COLOURS.get(label, "#666")})]),
            html.Blockquote(entry.citation if entry is not None else v.get("statement")),
            html.P(v.get("statement"), className="statement"),
            html.Dl([
                html.Dt("hypothesis"),
                html.Dd(f"{hyp.metric}; {hyp.compared}; supports when {hyp.direction} "
                        f"({hyp.horizon})" if hyp is not None else "not in the registry"),
                html.Dt("verdict"),
                html.Dd(f"{label}: {v.get('n_support')} of {v.get('n_runs')} runs support it "
                        f"({_pct(v.get('share'))}); 95% Wilson interval "
                        f"{_pct(v.get('share_low'))} to {_pct(v.get('share_high'))}"),
                html.Dt("effect"),
                html.Dd(f"{v.get('effect_name')}: median {_num(v.get('effect_median'))} "
                        f"{v.get('effect_unit')} (5-95% of runs {_num(v.get('effect_low'))} to "
                        f"{_num(v.get('effect_high'))})"),
                html.Dt("assumptions that decide it"),
                html.Dd(", ".join(f"{r['parameter']} (Spearman {float(r['spearman']):+.2f})"
                                  for r in top) if top else
                        "none measured: a rank correlation needs runs whose outcome varies "
                        "(more draws)"),
            ]),
        ]))
    return cards
