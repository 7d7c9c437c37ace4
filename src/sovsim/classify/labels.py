"""Labels by class criteria: each year, a label for every region and for every expansion
(controller -> governed region), each with the table of criteria that decided it (MODEL.md §5).

The decision reads the measured criteria of `sovsim.classify.criteria` and nothing else: never a
region's bloc, authority or name. Seed ¶4: "not by moral or subjective factors, but solely by
sociological analysis, by the class criteria".

Expansions (seed ¶5-7). Each criterion of an expansion speaks for one side when met: imperialist
(export of capital into the dependency, repatriation of the controller's profits, superexploitation,
expropriation of small producers, landlords gaining, the dependency held back against the
controller's growth) or Soviet-type (nationalisation, agrarian reform, pillage of equipment,
landlords struck against peasants). Some are CORE: what makes the expansion what it is, not what
may go with it. Imperialism is "the policy of expansion of finance capital" (¶5): the controller's
capital must be in the dependency, exported there or drawing profit from it. Soviet expansion
changes property forms (¶6, ¶9: nationalisation, agrarian reform); pillage, or a dependency
growing slowly, can go with either. With I imperialist and S Soviet-type criteria met:

* "imperialist"  when I >= MIN_FEATURES, I >= DOMINANCE * S, and an imperialist core criterion is
  met (export of capital or profit repatriation);
* "Soviet-type"  when S >= MIN_FEATURES, S >= DOMINANCE * I, and a Soviet-type core criterion is
  met (nationalisation or agrarian reform);
* "undetermined" otherwise: the criteria disagree, the defining feature is missing, or the flows
  are nil.

Regions, first rule that applies:

1. governed under a Soviet-type expansion while its property forms still change (the collective
   or the landlord share of capital moves a point a year or more): "transitional (under
   occupation)" (seed ¶6-8, ¶14);
2. governed under an imperialist expansion, or (governed or not) its capital is foreign-owned and
   drained of profit while its property is not collective: "colony" (seed ¶5, ¶12);
3. collective property dominant (state + collective share >= one half): "degenerated workers'
   state" when a bureaucracy takes a share of the state budget as privileges, "workers' state
   under councils" when it takes none (seed ¶11-12, ¶14);
4. not collective, and it governs a dependency under an imperialist expansion or exports capital:
   "imperialist power" (seed ¶5);
5. not collective now but collective in an earlier year: "restored capitalism" (seed ¶11-12);
6. otherwise "capitalist".

A region's own label follows its own property first (rules 3-6 after the facts of being governed):
a collective-property region whose expansion is imperialist keeps its workers'-state label, and the
contradiction shows in the label of its expansion, which is classified on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sovsim.classify.criteria import (
    CAPITALIST,
    COLONY,
    COUNCILS,
    DEGENERATED,
    GOVERNED_IMPERIALIST,
    GOVERNED_SOVIET_TYPE,
    IMPERIALIST,
    IMPERIALIST_EXPANSIONS,
    IMPERIALIST_POWER,
    REGION_CRITERIA,
    RESTORED,
    SOVIET_TYPE,
    TRANSITIONAL,
    UNDETERMINED,
    Measurement,
    Observed,
    expansion_measurements,
    region_measurements,
)

# the essay defines each kind of expansion by a set of features (seed ¶5, ¶6): one flow alone may be
# incidental
MIN_FEATURES = 2
# one side must outweigh the other at least twice over; a closer balance is a mixed expansion the
# criteria cannot class
DOMINANCE = 2.0


@dataclass(frozen=True)
class Verdict:
    """A label for one subject and year, with the criteria that explain it."""

    year: int
    kind: str                  # "region" or "expansion"
    region: str                # the region labelled, or the governed region of an expansion
    controller: str | None     # the controller of an expansion; for a region, who governs it
    label: str
    rule: str                  # the rule that decided, in words
    measurements: tuple[Measurement, ...]

    @property
    def subject(self) -> str:
        """The region's name, or "controller -> region" for an expansion."""
        return f"{self.controller} -> {self.region}" if self.kind == "expansion" else self.region


def decide_expansion(measurements: list[Measurement] | tuple[Measurement, ...]) -> tuple[str, str]:
    """An expansion's label from its measured criteria, with the rule that decided it."""
    def count(side: str) -> tuple[int, bool]:
        mine = [m for m in measurements if m.criterion.supports == side and m.met]
        return len(mine), any(m.criterion.core for m in mine)

    (n_imp, core_imp), (n_sov, core_sov) = count(IMPERIALIST), count(SOVIET_TYPE)
    counts = f"{n_imp} imperialist, {n_sov} Soviet-type criteria met"
    for label, n, other, core in ((IMPERIALIST, n_imp, n_sov, core_imp),
                                  (SOVIET_TYPE, n_sov, n_imp, core_sov)):
        if n >= MIN_FEATURES and n >= DOMINANCE * other:
            if core:
                return label, (f"{counts}: {label} features outweigh {DOMINANCE:g} to 1 or more, "
                               "a defining one among them")
            return UNDETERMINED, (f"{counts}: {label} features outweigh, but none of its "
                                  "defining ones is met")
    if n_imp + n_sov == 0:
        return UNDETERMINED, f"{counts}: nil flows"
    return UNDETERMINED, (f"{counts}: neither side has {MIN_FEATURES} and outweighs the other "
                          f"{DOMINANCE:g} to 1")


def label_expansion(obs: Observed, c: int, d: int, year: int) -> Verdict:
    """The label of controller `c`'s expansion into region `d` in a year."""
    ms = tuple(expansion_measurements(obs, c, d, year))
    label, rule = decide_expansion(ms)
    return Verdict(year, "expansion", obs.regions[d], obs.regions[c], label, rule, ms)


def decide_region(ms: dict[str, Measurement]) -> tuple[str, str]:
    """A region's label from its measured criteria (those of REGION_CRITERIA, by name)."""
    def met(name: str) -> bool:
        return ms[name].met

    if met("governed_soviet_type") and met("property_changing"):
        return TRANSITIONAL, "governed under a Soviet-type expansion; property forms still change"
    if met("governed_imperialist"):
        return COLONY, "governed under an imperialist expansion"
    collective = met("collective_property")
    if not collective and met("foreign_ownership") and met("profit_drain"):
        return COLONY, "capital foreign-owned and drained of profit"
    if collective and met("bureaucratic_privilege"):
        return DEGENERATED, "collective property; a bureaucracy takes privileges from the surplus"
    if collective and met("council_disposal"):
        return COUNCILS, "collective property; no privileged share of the surplus"
    if collective:
        return DEGENERATED, "collective property; who disposes of the surplus is not measured"
    if met("imperialist_expansions") or met("exports_capital"):
        return IMPERIALIST_POWER, ("governs a dependency under an imperialist expansion"
                                   if met("imperialist_expansions") else "exports capital")
    if met("earlier_collective_property"):
        return RESTORED, "collective property fell below the threshold after an earlier year above"
    return CAPITALIST, "property not collective; no imperialist expansion, no export of capital"


def label_region(obs: Observed, r: int, year: int,
                 expansions: dict[tuple[int, int], Verdict]) -> Verdict:
    """The label of region `r` in a year, given the year's expansion verdicts by (c, d)."""
    ms = region_measurements(obs, r, year)
    controller = obs.controllers(year).get(r)
    governed = expansions.get((controller, r)) if controller is not None else None
    imperial = sum(v.label == IMPERIALIST for (c, _), v in expansions.items() if c == r)
    ms[GOVERNED_IMPERIALIST.name] = Measurement(
        GOVERNED_IMPERIALIST, float(governed is not None and governed.label == IMPERIALIST))
    ms[GOVERNED_SOVIET_TYPE.name] = Measurement(
        GOVERNED_SOVIET_TYPE, float(governed is not None and governed.label == SOVIET_TYPE))
    ms[IMPERIALIST_EXPANSIONS.name] = Measurement(IMPERIALIST_EXPANSIONS, float(imperial))
    label, rule = decide_region(ms)
    ordered = tuple(ms[c.name] for c in REGION_CRITERIA)
    return Verdict(year, "region", obs.regions[r],
                   obs.regions[controller] if controller is not None else None, label, rule,
                   ordered)


def classify(obs: Observed, years: list[int] | None = None) -> list[Verdict]:
    """Every expansion's and every region's verdict, year by year (all the run's years by
    default); expansions of a year first, as region labels depend on them."""
    out: list[Verdict] = []
    for year in years if years is not None else obs.year_list():
        exp = {(c, d): label_expansion(obs, c, d, year) for c, d in obs.expansions(year)}
        out.extend(exp.values())
        out.extend(label_region(obs, r, year, exp) for r in range(len(obs.regions)))
    return out

