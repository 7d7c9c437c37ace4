"""Claim C1 (seed ¶5-6): Soviet expansion is not imperialism. world1946 as it was, and with the
policies (and authorities) of the USSR's and the western powers' dependencies swapped: the
classifier's labels must be right in the first and flip in the second."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sovsim.claims.experiments.counterfactuals import groups, swapped_overrides
from sovsim.claims.experiments.framework import (
    SOVIET,
    WORLD,
    Experiment,
    Judgement,
    Result,
    actual,
    setting,
)
from sovsim.claims.experiments.reading import observed, undecided
from sovsim.classify.criteria import IMPERIALIST, SOVIET_TYPE
from sovsim.classify.labels import label_expansion

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


C1_END = "1949-12"
C1_FIRST_LABEL_YEAR = 1947   # 1946's changes "since control began" span less than a year


def measure(role: str, sim: Sim, last: int) -> Result:
    """Labels of every expansion in 1947..the horizon's year; shares of the USSR's and of the
    western powers' expansions labelled Soviet-type and imperialist in the last year."""
    obs = observed(sim, last)
    g = groups()
    labels: list[tuple[int, str, str]] = []
    final: dict[str, list[str]] = {"ussr": [], "west": []}
    years = obs.year_list()
    for year in years:
        if year < C1_FIRST_LABEL_YEAR:
            continue
        for c, d in obs.expansions(year):
            v = label_expansion(obs, c, d, year)
            labels.append((year, v.subject, v.label))
            side = ("ussr" if obs.regions[c] == SOVIET
                    else "west" if obs.regions[c] in g.powers else None)
            if year == years[-1] and side is not None:
                final[side].append(v.label)

    def share(side: str, label: str) -> float:
        got = final[side]
        return sum(lab == label for lab in got) / len(got) if got else math.nan

    metrics = {f"{side}_{tag}": share(side, lab) for side in final
               for tag, lab in (("soviet", SOVIET_TYPE), ("imperialist", IMPERIALIST))}
    return {"metrics": metrics, "series": [], "labels": labels}


def judge(res: dict[str, Result]) -> Judgement:
    """Actual labels right (USSR Soviet-type, none imperialist; West imperialist) and flipped
    under the swap (USSR's no longer Soviet-type, West's no longer imperialist)."""
    a, s = res["actual"]["metrics"], res["swapped"]["metrics"]
    details = {f"actual_{k}": v for k, v in a.items()} | {f"swapped_{k}": v for k, v in s.items()}
    if undecided(a["ussr_soviet"], a["west_imperialist"], s["ussr_soviet"],
                  s["west_imperialist"]):
        return None, math.nan, details
    actual_ok = (a["ussr_soviet"] >= 0.5 and a["ussr_imperialist"] == 0.0
                 and a["west_imperialist"] >= 0.5)
    flipped = s["ussr_soviet"] < 0.5 and s["west_imperialist"] < 0.5
    details.update(actual_ok=float(actual_ok), flipped=float(flipped))
    return actual_ok and flipped, a["ussr_soviet"] - s["ussr_soviet"], details


def experiment() -> Experiment:
    """C1: the actual world against the swapped one, to the end of 1949."""
    return Experiment("C1", WORLD, (("actual", actual(end=C1_END)),
                                    ("swapped", setting("world1946-swapped", WORLD,
                                                        swapped_overrides(), end=C1_END))),
                      measure, judge)
