"""The experiments' framework: a claim's settings (the runs it asks for), its experiment (roles,
measure, rule) and the scenarios they start from.

An experiment names ROLES, each a `Setting` (scenario, theory, overrides of its data, horizon):
C2 compares "reforms" with "restored", C4 four theories, and so on. `measure(role, sim, last)`
runs in the worker after the run and returns a small dict: "metrics" (floats), "series" (rows
year, region, variable, value: yearly means, or monthly values with the month as a fraction of
the year) and for C1 "labels". `judge(results)` gets one draw's results by role and returns
(supports, effect, details); supports is None when the rule cannot decide (a measure is NaN).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sovsim.world.loading import LoadedScenario, load

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim

WORLD = "world1946"
USSR1921 = "ussr1921"
SOVIET = "USSR"
COUNTERFACTUAL = "claims counterfactual"

Result = dict[str, Any]
Judgement = tuple[bool | None, float, dict[str, float]]


@dataclass(frozen=True)
class Setting:
    """A run a claim asks for: scenario, theory, overrides (as canonical JSON) and horizon."""

    name: str          # the variant's name; settings that are the same run share it
    scenario: str
    theory: str = "dws"
    overrides_json: str = "{}"
    end: str = ""      # last month "YYYY-MM" the claim reads ("" = the scenario's end)

    @property
    def overrides(self) -> dict[str, Any]:
        return json.loads(self.overrides_json)

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two settings the same run (the horizon aside)."""
        return self.scenario, self.theory, self.overrides_json


def setting(name: str, scenario: str, overrides: dict[str, Any] | None = None, *,
            theory: str = "dws", end: str = "") -> Setting:
    """A Setting from plain overrides."""
    return Setting(name, scenario, theory, json.dumps(overrides or {}, sort_keys=True), end)


@dataclass(frozen=True)
class Experiment:
    """One claim's experiment: the draws' scenario, its roles, its measure and its rule."""

    claim: str
    draw_scenario: str                       # whose priors the draws come from
    roles: tuple[tuple[str, Setting], ...]
    measure: Callable[[str, Sim, int], Result]
    judge: Callable[[dict[str, Result]], Judgement]

    def role(self, name: str) -> Setting:
        return dict(self.roles)[name]



@functools.lru_cache(maxsize=8)
def base(scenario: str) -> LoadedScenario:
    """A built-in scenario, loaded once per process."""
    return load(scenario)


def earliest_end(scenario: str) -> str:
    """The earliest horizon a variant of the scenario may have: December of the year of its last
    dated schedule entry or event (validation refuses entries after the end)."""
    data = base(scenario).resolved
    dates = [e["date"] for k in ("schedule", "events") for e in data.get(k, [])]
    start = data["scenario"]["start"]
    year = max([int(d[:4]) for d in dates] + [int(start[:4])])
    return f"{year}-12"


def year_end(date: str) -> str:
    """December of a date's year: horizons end with whole years, for yearly means."""
    return f"{date[:4]}-12"



def ussr1921(theory: str, end: str = "") -> Setting:
    """ussr1921 under one theory of the bureaucracy (C4, C5, C9)."""
    return setting(f"{USSR1921}-{theory}", USSR1921, theory=theory, end=end)


def actual(end: str = "") -> Setting:
    """world1946 as the scenario has it, to `end`."""
    return setting(WORLD, WORLD, end=end)
