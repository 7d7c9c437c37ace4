"""Claim C8 (seed ¶5): imperialism is a barrier to the colonies' development. world1946 as it
was against the colonies independent, to the end of 1955."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sovsim.claims.experiments.counterfactuals import groups, independent_overrides
from sovsim.claims.experiments.framework import (
    WORLD,
    Experiment,
    Judgement,
    Result,
    actual,
    setting,
)
from sovsim.claims.experiments.reading import (
    index,
    series_rows,
    undecided,
    weighted,
    year_mean,
    years_of,
)

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim


C8_END = "1955-12"


def measure(role: str, sim: Sim, last: int) -> Result:
    """Population-weighted output per head of the colonies in the horizon's last year, with
    yearly series (the aggregate and each colony)."""
    cols = groups().colonies
    y = weighted(sim, "output_per_capita", cols, last)
    final_year = int(years_of(sim, last)[-1])
    reg = sim.results.regions["output_per_capita"]
    series = series_rows(sim, last, "colonies", "output_per_capita", y)
    for name, r in zip(cols, index(sim, cols), strict=True):
        series += series_rows(sim, last, name, "output_per_capita", reg[: last + 1, r])
    years = (last + 1) / 12.0
    return {"metrics": {"y_end": year_mean(y, sim, final_year), "years": years},
            "series": series}


def judge(res: dict[str, Result]) -> Judgement:
    """Independence grows faster: the colonies' output per head is higher at the horizon; the
    effect is the difference in annual growth from the same start."""
    c, i = res["colonial"]["metrics"], res["independent"]["metrics"]
    if undecided(c["y_end"], i["y_end"]) or c["y_end"] <= 0 or i["y_end"] <= 0:
        return None, math.nan, {}
    effect = 100 * math.log(i["y_end"] / c["y_end"]) / c["years"]
    return effect > 0, effect, {"y_colonial": c["y_end"], "y_independent": i["y_end"]}


def experiment() -> Experiment:
    """C8: colonial against independent, to the end of 1955."""
    return Experiment("C8", WORLD, (("colonial", actual(end=C8_END)),
                                    ("independent", setting("world1946-independent", WORLD,
                                                            independent_overrides(),
                                                            end=C8_END))),
                      measure, judge)
