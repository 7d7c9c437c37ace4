"""The suite of experiments, one per claim, and the plan that runs them together.

Settings that differ only in their horizon are the same run: `plan` merges them into one
`Variant` that runs to the latest horizon asked for, and each role reads its own window of it
(the model is causal and its random streams are keyed by name, so the first months of a longer
run are those of a shorter one). The actual world1946 is thus run once per draw for C1, C2, C3,
C7, C8 and C9, and the four ussr1921 theories once for C4, C5 and C9.

A run's variant reaches the claims' measures explicitly: `ClaimsMeasure` is the ensemble's
`keep` callable, which `run_one` calls with the run's `Variant`; the plan's uses are looked up
by the variant's name (nothing is written into the scenario to recognise it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sovsim.claims.ensemble import Variant
from sovsim.claims.experiments import c1, c2, c3, c4, c5, c6, c7, c8, c9
from sovsim.claims.experiments.framework import (
    Experiment,
    Result,
    Setting,
    base,
    earliest_end,
    year_end,
)
from sovsim.world.build import month_index
from sovsim.world.loading import LoadedScenario

if TYPE_CHECKING:
    from sovsim.claims.ensemble import Draw
    from sovsim.engine.sim import Sim

CLAIM_MODULES = (c1, c2, c3, c4, c5, c6, c7, c8, c9)


def build() -> dict[str, Experiment]:
    """Every claim's experiment, by claim id."""
    exps = [module.experiment() for module in CLAIM_MODULES]
    return {e.claim: e for e in exps}


EXPERIMENTS: dict[str, Experiment] = build()


@dataclass(frozen=True)
class Use:
    """A claim's use of a planned variant: the role it plays and the last month it reads."""

    claim: str
    role: str
    end: str


@dataclass
class Plan:
    """The variants to run, grouped by the draws' scenario, and who uses each."""

    groups: dict[str, list[Variant]]          # draw scenario -> variants
    uses: dict[str, list[Use]]                # variant name -> uses

    def measure(self) -> ClaimsMeasure:
        """The claims' measures of a run, as the ensemble's `keep` callable."""
        return ClaimsMeasure({k: tuple((u.claim, u.role, u.end) for u in v)
                              for k, v in self.uses.items()})


@dataclass(frozen=True)
class ClaimsMeasure:
    """Passed to the ensemble as `keep`: given a finished run and its variant, every claim that
    uses the variant measures it (picklable: names only)."""

    uses: dict[str, tuple[tuple[str, str, str], ...]]

    def __call__(self, sim: Sim, draw: Draw, variant: Variant,
                 wall_seconds: float) -> dict[str, Any]:
        out: dict[str, dict[str, Result]] = {}
        for claim, role, end in self.uses.get(variant.name, ()):
            last = min(month_index(end) - sim.first_month, sim.n_steps - 1)
            out.setdefault(claim, {})[role] = EXPERIMENTS[claim].measure(role, sim, last)
        return {"claims": out}


def plan(claims: list[str], alias: dict[str, str] | None = None) -> Plan:
    """The variants the claims need: settings that are the same run under the same draws
    merged (latest horizon), each variant named and grouped by the scenario its draws come
    from. `alias` maps a draw scenario to another whose draws are the same (the scenarios share
    their priors), so that their variants can be shared too."""
    alias = alias or {}
    merged: dict[tuple[str, tuple[str, str, str]], tuple[Setting, str, list[Use]]] = {}
    for claim in claims:
        exp = EXPERIMENTS[claim]
        group = alias.get(exp.draw_scenario, exp.draw_scenario)
        for role, st in exp.roles:
            end = st.end or base(st.scenario).model.scenario.end
            key = (group, st.key)
            first, latest, used = merged.get(key, (st, end, []))
            used.append(Use(claim, role, end))
            merged[key] = (first, max(latest, end), used)
    groups: dict[str, list[Variant]] = {}
    uses: dict[str, list[Use]] = {}
    names = [st.name for st, _, _ in merged.values()]
    for (group, _), (st, end, used) in merged.items():
        # the same run under other draws is another variant, named apart
        name = st.name if names.count(st.name) == 1 else f"{st.name}@{group}"
        end = max(year_end(end), earliest_end(st.scenario))
        overrides = copy.deepcopy(st.overrides)
        overrides.setdefault("scenario", {})["end"] = end
        groups.setdefault(group, []).append(Variant(name, st.scenario, st.theory, overrides))
        uses[name] = used
    return Plan(groups, uses)


def variant_scenario(variant: Variant) -> LoadedScenario:
    """A planned variant's scenario at the file's own parameters (for checks and tests)."""
    from sovsim.claims.ensemble import Draw, scenario_for

    return scenario_for(variant, Draw(0, 0, {}))
