"""The essay's claims as experiments (MODEL.md §6): for each claim, the variants it compares,
what it measures on a run, and the rule that turns one draw's runs into support and an effect.

    framework.py        Setting, Experiment: the runs a claim asks for, its measure and rule
    counterfactuals.py  the counterfactual worlds, as overrides of world1946's own data
    reading.py          reading a finished run: yearly means, weighted aggregates, series rows
    c1.py .. c9.py      one claim each: its horizon, `measure`, `judge` and `experiment()`
    suite.py            EXPERIMENTS (every claim's), the plan that merges their runs, and the
                        measure the ensemble calls with each run's variant

Every role of a draw runs with the draw's seed and parameters (common random numbers), so
paired differences show the policies' effect. Horizons are as short as each claim allows (the
full suite at 32 draws must run in minutes), but a variant never ends before the last dated
entry of its scenario's schedule and events, which the scenario's validation requires.
"""

from sovsim.claims.experiments.counterfactuals import groups
from sovsim.claims.experiments.framework import Experiment, Setting
from sovsim.claims.experiments.suite import (
    EXPERIMENTS,
    ClaimsMeasure,
    Plan,
    build,
    plan,
    variant_scenario,
)

__all__ = ["EXPERIMENTS", "ClaimsMeasure", "Experiment", "Plan", "Setting", "build", "groups",
           "plan", "variant_scenario"]
