"""The essay's claims as experiments: for each claim, the variants it compares, what it measures
on a run, and the rule that turns one draw's runs into support and an effect (MODEL.md §6).

An experiment names ROLES, each a `Setting` (scenario, theory, overrides of its data, horizon):
C2 compares "reforms" with "restored", C4 four theories, and so on. Overrides build the
counterfactuals from the scenario's own data (tables merge key by key, `schedule` and `events` are
appended: `sovsim.claims.ensemble.Variant`). Every role of a draw runs with the draw's seed and
parameters (common random numbers), so paired differences show the policies' effect.

Settings that differ only in their horizon are the same run: `plan` merges them into one
`Variant` that runs to the latest horizon asked for, and each role reads its own window of it
(the model is causal and its random streams are keyed by name, so the first months of a longer
run are those of a shorter one). The actual world1946 is thus run once per draw for C1, C2, C3,
C7, C8 and C9, and the four ussr1921 theories once for C4, C5 and C9.

`measure(role, sim, last)` runs in the worker after the run and returns a small dict:
"metrics" (floats), "series" (rows year, region, variable, value: yearly means, or monthly values
with the month as a fraction of the year) and for C1 "labels". `judge(results)` gets one draw's
results by role and returns (supports, effect, details); supports is None when the rule cannot
decide (a measure is NaN).

Horizons are as short as each claim allows (the full suite at 32 draws must run in minutes), but
a variant never ends before the last dated entry of its scenario's schedule and events, which
the scenario's validation requires.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sovsim.claims import c4
from sovsim.claims.ensemble import Variant
from sovsim.classify.criteria import (
    FOREIGN_OWNERSHIP_MIN,
    IMPERIALIST,
    LANDLORDS_STRUCK,
    SOVIET_TYPE,
    Observed,
    expansion_measurements,
)
from sovsim.classify.labels import label_expansion
from sovsim.world.build import date_of, month_index
from sovsim.world.loading import LoadedScenario, load
from sovsim.world.names import AUTHORITIES, CLASSES, Owner
from sovsim.world.priors import priors_of

if TYPE_CHECKING:
    from sovsim.engine.sim import Sim

WORLD = "world1946"
USSR1921 = "ussr1921"
SOVIET = "USSR"
MARKER = "sovsim claims variant: "   # written into scenario.description to name the variant
COUNTERFACTUAL = "claims counterfactual"

Result = dict[str, Any]
Judgement = tuple[bool | None, float, dict[str, float]]


# --- settings, experiments, plans ------------------------------------------------------------
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
        return ClaimsMeasure({k: tuple((u.claim, u.role, u.end) for u in v)
                              for k, v in self.uses.items()})


@dataclass(frozen=True)
class ClaimsMeasure:
    """The measure passed to the ensemble: it finds the run's variant by the marker in its
    description and returns every using claim's measures of it (picklable: names only)."""

    uses: dict[str, tuple[tuple[str, str, str], ...]]

    def __call__(self, sim: Sim) -> dict[str, Any]:
        description = sim.scenario.model.scenario.description
        name = description.removeprefix(MARKER) if description.startswith(MARKER) else ""
        out: dict[str, dict[str, Result]] = {}
        for claim, role, end in self.uses.get(name, ()):
            last = min(month_index(end) - sim.first_month, sim.n_steps - 1)
            out.setdefault(claim, {})[role] = EXPERIMENTS[claim].measure(role, sim, last)
        return {"claims": out}


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


def plan(claims: list[str], alias: dict[str, str] | None = None) -> Plan:
    """The variants the claims need: settings that are the same run under the same draws
    merged (latest horizon), each variant named, marked and grouped by the scenario its draws
    come from. `alias` maps a draw scenario to another whose draws are the same (the
    scenarios share their priors), so that their variants can be shared too."""
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
        head = overrides.setdefault("scenario", {})
        head.update(end=end, description=MARKER + name)
        groups.setdefault(group, []).append(Variant(name, st.scenario, st.theory, overrides))
        uses[name] = used
    return Plan(groups, uses)


def variant_scenario(variant: Variant) -> LoadedScenario:
    """A planned variant's scenario at the file's own parameters (for checks and tests)."""
    from sovsim.claims.ensemble import Draw, scenario_for

    return scenario_for(variant, Draw(0, 0, {}))


# --- the world's regions by their role in 1946 ----------------------------------------------
@dataclass(frozen=True)
class Groups:
    """world1946's regions by their place in 1946 (read from the scenario, not hard-coded)."""

    buffer: tuple[str, ...]          # governed by the USSR
    powers: tuple[str, ...]          # independent finance-capital governments
    west_deps: tuple[str, ...]       # governed by a western power
    colonies: tuple[str, ...]        # under a colonial administration
    under_capital: tuple[str, ...]   # under a finance-capital or colonial authority


@functools.lru_cache(maxsize=1)
def groups() -> Groups:
    """The region groups of world1946."""
    regions = base(WORLD).model.regions
    powers = tuple(n for n, r in regions.items()
                   if r.authority == "finance_capital" and r.controller in (None, n))
    return Groups(
        buffer=tuple(n for n, r in regions.items() if r.controller == SOVIET),
        powers=powers,
        west_deps=tuple(n for n, r in regions.items() if r.controller in powers),
        colonies=tuple(n for n, r in regions.items() if r.authority == "colonial"),
        under_capital=tuple(n for n, r in regions.items()
                            if r.authority in ("finance_capital", "colonial")),
    )


# --- building overrides ---------------------------------------------------------------------
def number(value: float, reason: str) -> dict[str, Any]:
    """A number with its provenance: assumed, with the counterfactual's reason."""
    return {"value": float(value), "assumed": True, "reason": f"{COUNTERFACTUAL}: {reason}"}


def levers(values: dict[str, float], reason: str) -> dict[str, Any]:
    """A region's `policy` table of counterfactual lever values."""
    return {name: number(v, reason) for name, v in values.items()}


def hold(scenario: str, regions: tuple[str, ...], held: dict[str, float],
         reason: str) -> list[dict[str, Any]]:
    """Schedule entries that keep levers at fixed values: one for every dated change the
    scenario makes to them in these regions, at the same date (appended after it, it wins)."""
    out = []
    for entry in base(scenario).resolved.get("schedule", []):
        if entry["region"] in regions and entry["lever"] in held:
            out.append({"date": entry["date"], "region": entry["region"],
                        "lever": entry["lever"], "value": number(held[entry["lever"]], reason)})
    return out


# Soviet-type levers (seed ¶6-7) given to a dependency in C1's swap: constant rates of the order
# of the buffer zone's 1946-48 schedule (a year at 2/year, then little), its pillage between
# Hungary's 0.02 and the Soviet zone's 0.10, and its repression targeting
SOVIET_TYPE_LEVERS = {"nationalisation_rate": 0.5, "agrarian_reform_rate": 0.5,
                      "pillage_rate": 0.05, "psi_left": 0.7, "psi_right": 1.3,
                      "terror_rate": 0.0003, "enforcers_per_pop": 0.006,
                      "colonial_wage_share": 1.0, "expropriation_rate": 0.0}
# imperialist levers (seed ¶5, 7) given to a dependency in C1's swap: those of world1946's
# colonies (India, Indochina, Indonesia)
IMPERIALIST_LEVERS = {"colonial_wage_share": 0.3, "expropriation_rate": 0.02, "psi_left": 1.5,
                      "psi_right": 0.5, "terror_rate": 0.0, "enforcers_per_pop": 0.004,
                      "nationalisation_rate": 0.0, "agrarian_reform_rate": 0.0,
                      "pillage_rate": 0.0}
REFORM_LEVERS = ("nationalisation_rate", "agrarian_reform_rate", "pillage_rate")
# the state's share of industry in restored capitalism: western Germany's (HEAVY 0.1, LIGHT ~0)
# and France's (LIGHT 0.05) order of magnitude (world1946.toml)
RESTORED_STATE_SHARE = {"HEAVY": 0.10, "LIGHT": 0.05}
NEUTRAL_LEVERS = {"psi_left": 1.0, "psi_right": 1.0, "terror_rate": 0.0}


def swapped_overrides() -> dict[str, Any]:
    """C1's swap: the USSR's dependencies get the colonies' policies, the western powers'
    dependencies the buffer zone's; each dependency's authority goes with its policies (the
    colonial administration forbids agrarian reform, so Soviet-type levers need an occupation
    authority), and the powers' export shares are swapped (the USSR's was 0)."""
    g = groups()
    regions: dict[str, Any] = {}
    why_imp = "C1 swap: the colonies' imperialist levers (seed para. 5, 7)"
    why_sov = "C1 swap: the buffer zone's Soviet-type levers (seed para. 6-7)"
    for name in g.buffer:
        regions[name] = {"authority": "colonial", "policy": levers(IMPERIALIST_LEVERS, why_imp)}
    for name in g.west_deps:
        regions[name] = {"authority": "occupation", "policy": levers(SOVIET_TYPE_LEVERS, why_sov)}
    data = base(WORLD).resolved["regions"]
    west_export = max(float(data[p].get("policy", {}).get("export_share", {"value": 0.0})
                            ["value"]) for p in g.powers)
    regions[SOVIET] = {"policy": levers({"export_share": west_export},
                                        "C1 swap: the western powers' export share")}
    for name in g.powers:
        regions.setdefault(name, {})["policy"] = levers({"export_share": 0.0},
                                                        "C1 swap: the USSR's export share")
    schedule = hold(WORLD, g.buffer, {k: 0.0 for k in REFORM_LEVERS},
                    "C1 swap: no Soviet-type reforms in the USSR's dependencies")
    return {"regions": regions, "schedule": schedule}


def restored_overrides() -> dict[str, Any]:
    """C2's counterfactual: restored pre-war capitalism in the buffer zone. Each region governs
    itself under a finance-capital government; the 1944-45 nationalisations are undone (state
    industry above a western state share back to private owners, Soviet joint companies too);
    no further nationalisation, agrarian reform or pillage; untargeted repression, no terror.
    The land reforms of 1944-45 are kept: the shared data give no pre-war land ownership."""
    regions: dict[str, Any] = {}
    data = base(WORLD).resolved["regions"]
    why = "restored pre-war capitalism in the buffer zone (C2)"
    for name in groups().buffer:
        owners = {k: float(v) for k, v in data[name].get("foreign_owners", {}).items()
                  if isinstance(v, int | float) and not isinstance(v, bool)}
        soviet = owners.get(SOVIET, 0.0)   # share of the foreign capital the USSR owns
        ownership = {}
        for sector, cap in RESTORED_STATE_SHARE.items():
            shares = {k: float(v) for k, v in data[name]["ownership"][sector].items()
                      if isinstance(v, int | float) and not isinstance(v, bool)}
            moved = max(0.0, shares.get("STATE", 0.0) - cap) + shares.get("FOREIGN", 0.0) * soviet
            shares["STATE"] = min(shares.get("STATE", 0.0), cap)
            if "FOREIGN" in shares:
                shares["FOREIGN"] *= 1.0 - soviet
            shares["PRIVATE"] = shares.get("PRIVATE", 0.0) + moved
            ownership[sector] = {**shares, "source": None, "assumed": True,
                                 "reason": f"{COUNTERFACTUAL}: {why}: state industry above "
                                           f"{cap:g} and Soviet-owned firms returned to "
                                           "private owners"}
        regions[name] = {
            "controller": name, "authority": "finance_capital", "bloc": "capitalist",
            "ownership": ownership,
            "policy": levers({**{k: 0.0 for k in REFORM_LEVERS}, **NEUTRAL_LEVERS}, why)}
        if 0.0 < soviet < 1.0:
            # the other owners keep the foreign capital left, in their proportions
            rest = {k: v / (1.0 - soviet) for k, v in owners.items() if k != SOVIET}
            regions[name]["foreign_owners"] = {**rest, SOVIET: 0.0, "source": None,
                                               "assumed": True, "reason": f"{COUNTERFACTUAL}: "
                                               f"{why}: Soviet shares returned"}
    schedule = hold(WORLD, groups().buffer, {k: 0.0 for k in REFORM_LEVERS}, why)
    return {"regions": regions, "schedule": schedule}


def pillage_overrides(rate: float) -> dict[str, Any]:
    """C2's sweep: every buffer region pillaged at `rate` a year for the whole run (its dated
    reforms kept)."""
    why = f"C2 sweep: pillage held at {rate:g} a year"
    regions = {n: {"policy": levers({"pillage_rate": rate}, why)} for n in groups().buffer}
    return {"regions": regions,
            "schedule": hold(WORLD, groups().buffer, {"pillage_rate": rate}, why)}


def independent_overrides() -> dict[str, Any]:
    """C8's counterfactual: the colonies independent, each its own controller under a
    finance-capital government, colonial levers neutral (no wage ceiling, no expropriation,
    untargeted repression); the foreign capital in them stays."""
    why = "the colonies independent (C8)"
    return {"regions": {n: {"controller": n, "authority": "finance_capital", "bloc": "capitalist",
                            "policy": levers({"colonial_wage_share": 1.0,
                                              "expropriation_rate": 0.0, **NEUTRAL_LEVERS}, why)}
                        for n in groups().colonies}}


WITHDRAWAL_DATE = "1946-09"  # after the essay (July 1946): its demand, at once (seed ¶14)


def withdrawal_overrides() -> dict[str, Any]:
    """C7's counterfactual: the occupying army leaves every buffer region in September 1946."""
    why = f"{COUNTERFACTUAL}: the withdrawal seed para. 14 demands, after the essay (C7)"
    return {"events": [{"kind": "withdraw", "date": WITHDRAWAL_DATE, "region": n,
                        "assumed": True, "reason": why} for n in groups().buffer]}


ATTACK_DATE = "1946-07"
ATTACKER = "USA"


def attack_overrides() -> dict[str, Any]:
    """C6's counterfactual: the USA attacks the USSR in July 1946 (seed ¶12)."""
    why = f"{COUNTERFACTUAL}: the attack seed para. 12 warns of, just after the essay (C6)"
    return {"events": [{"kind": "attack", "date": ATTACK_DATE, "attacker": ATTACKER,
                        "target": SOVIET, "assumed": True, "reason": why}]}


def attack_end() -> str:
    """The end of C6's horizon: a year after the longest war its priors allow."""
    loaded = base(WORLD)
    months = loaded.model.pars["war_months"].value
    prior = priors_of(loaded).get("war_months")
    if prior is not None:
        months = max(months, prior.support()[1])
    return year_end(date_of(month_index(ATTACK_DATE) + math.ceil(months) + 12))


# --- reading a run -------------------------------------------------------------------------
def years_of(sim: Sim, last: int) -> np.ndarray:
    """The calendar year of each step 0..last."""
    return (sim.first_month + np.arange(last + 1)) // 12


def year_mean(x: np.ndarray, sim: Sim, year: int) -> float:
    """Mean of a monthly series over a calendar year (nan if the run has none of it)."""
    years = (sim.first_month + np.arange(len(x))) // 12
    sel = x[years == year]
    return float(np.nanmean(sel)) if sel.size else math.nan


def yearly(x: np.ndarray, sim: Sim, last: int) -> list[tuple[float, float]]:
    """(year, mean) of a monthly series over steps 0..last."""
    years = years_of(sim, last)
    return [(float(y), float(np.nanmean(x[: last + 1][years == y]))) for y in np.unique(years)]


def index(sim: Sim, names: tuple[str, ...] | list[str]) -> list[int]:
    """Region indices of names."""
    return [sim.geo.names.index(n) for n in names]


def weighted(sim: Sim, variable: str, names: tuple[str, ...], last: int) -> np.ndarray:
    """Population-weighted monthly mean of a region variable over some regions."""
    reg = sim.results.regions
    idx = index(sim, names)
    pop = reg["population"][: last + 1, idx]
    return (reg[variable][: last + 1, idx] * pop).sum(axis=1) / np.maximum(pop.sum(axis=1), 1.0)


def capital_share(sim: Sim, owner: str, r: int, last: int) -> np.ndarray:
    """Monthly share of region r's capital held by one owner."""
    reg = sim.results.regions
    total = sum(reg[f"capital_{o.name.lower()}"][: last + 1, r] for o in Owner)
    return reg[f"capital_{owner}"][: last + 1, r] / np.maximum(total, 1e-12)


def series_rows(sim: Sim, last: int, region: str, variable: str,
                x: np.ndarray) -> list[tuple[float, str, str, float]]:
    """Yearly-mean series rows (year, region, variable, value)."""
    return [(y, region, variable, v) for y, v in yearly(x, sim, last)]


def observed(sim: Sim, last: int) -> Observed:
    """The classifier's view of a run's first `last + 1` months, straight from its arrays."""
    res = sim.results
    return Observed(tuple(sim.geo.names), np.array(sim.dates()[: last + 1]),
                    {k: v[: last + 1] for k, v in res.regions.items()},
                    {k: v[: last + 1] for k, v in res.classes.items()},
                    tuple(CLASSES), {k: v[: last + 1] for k, v in res.links.items()})


def _nanmean(values: list[float]) -> float:
    ok = [v for v in values if not math.isnan(v)]
    return float(np.mean(ok)) if ok else math.nan


def _undecided(*values: float) -> bool:
    return any(math.isnan(v) for v in values)


# --- C1: Soviet expansion is not imperialism (seed ¶5-6) --------------------------------------
C1_END = "1949-12"
C1_FIRST_LABEL_YEAR = 1947   # 1946's changes "since control began" span less than a year


def measure_c1(role: str, sim: Sim, last: int) -> Result:
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


def judge_c1(res: dict[str, Result]) -> Judgement:
    """Actual labels right (USSR Soviet-type, none imperialist; West imperialist) and flipped
    under the swap (USSR's no longer Soviet-type, West's no longer imperialist)."""
    a, s = res["actual"]["metrics"], res["swapped"]["metrics"]
    details = {f"actual_{k}": v for k, v in a.items()} | {f"swapped_{k}": v for k, v in s.items()}
    if _undecided(a["ussr_soviet"], a["west_imperialist"], s["ussr_soviet"],
                  s["west_imperialist"]):
        return None, math.nan, details
    actual_ok = (a["ussr_soviet"] >= 0.5 and a["ussr_imperialist"] == 0.0
                 and a["west_imperialist"] >= 0.5)
    flipped = s["ussr_soviet"] < 0.5 and s["west_imperialist"] < 0.5
    details.update(actual_ok=float(actual_ok), flipped=float(flipped))
    return actual_ok and flipped, a["ussr_soviet"] - s["ussr_soviet"], details


# --- C2: reforms develop the productive forces (seed ¶6, 9) -----------------------------------
C2_YEARS = (1955, 1965)                 # 10 and 20 years on
# pillage rates (1/year) of the sweep, each held for ten years: none, Hungary's and Romania's
# removals of 1946-47 (0.02), half the Soviet zone's of 1946 (0.05; world1946.toml)
C2_SWEEP = (0.0, 0.02, 0.05)
C2_SWEEP_END = "1955-12"


def sweep_role(rate: float) -> str:
    """The role name of a sweep run."""
    return f"pillage={rate:g}"


def measure_c2(role: str, sim: Sim, last: int) -> Result:
    """Population-weighted output per head of the buffer regions: its yearly series (and each
    region's) and its value in 1955 and 1965."""
    buf = groups().buffer
    y = weighted(sim, "output_per_capita", buf, last)
    metrics = {f"y{year}": year_mean(y, sim, year) for year in C2_YEARS}
    series = series_rows(sim, last, "buffer", "output_per_capita", y)
    if not role.startswith("pillage="):
        reg = sim.results.regions["output_per_capita"]
        for name, r in zip(buf, index(sim, buf), strict=True):
            series += series_rows(sim, last, name, "output_per_capita", reg[: last + 1, r])
    return {"metrics": metrics, "series": series}


def flip_rate(gaps: list[tuple[float, float]]) -> float:
    """The pillage rate at which reforms fall behind restored capitalism: linear interpolation
    between the sweep's rates where the gap changes sign; 0 if behind even without pillage,
    inf if ahead at every rate of the sweep, nan if the sweep has no measure."""
    pts = [(p, g) for p, g in sorted(gaps) if not math.isnan(g)]
    if not pts:
        return math.nan
    if pts[0][1] <= 0:
        return 0.0
    for (p0, g0), (p1, g1) in itertools.pairwise(pts):
        if g0 > 0 >= g1:
            return p0 + (p1 - p0) * g0 / (g0 - g1)
    return math.inf


def judge_c2(res: dict[str, Result]) -> Judgement:
    """Reforms ahead of restored capitalism after 10 and 20 years; the sweep's flip rate."""
    ref, rest = res["reforms"]["metrics"], res["restored"]["metrics"]
    gap = {year: ref[f"y{year}"] / rest[f"y{year}"] - 1.0 for year in C2_YEARS}
    ten = C2_YEARS[0]
    sweep = [(p, res[sweep_role(p)]["metrics"][f"y{ten}"] / rest[f"y{ten}"] - 1.0)
             for p in C2_SWEEP if sweep_role(p) in res]
    details = {f"gap_{year}_pct": 100 * g for year, g in gap.items()}
    details.update({f"gap_{ten}_pct_at_pillage_{p:g}": 100 * g for p, g in sweep})
    details["pillage_flip_rate"] = flip_rate(sweep)
    if _undecided(*gap.values()):
        return None, math.nan, details
    return all(g > 0 for g in gap.values()), 100 * gap[C2_YEARS[-1]], details


# --- C3: landlords under each controller (seed ¶7) --------------------------------------------
C3_END = "1950-12"


def measure_c3(role: str, sim: Sim, last: int) -> Result:
    """Peasant-minus-landlord income growth since control began in each dependency, averaged
    over the USSR's and over the western powers'; yearly class incomes for the chart."""
    obs = observed(sim, last)
    year = obs.year_list()[-1]
    g = groups()
    gaps: dict[str, list[float]] = {"soviet": [], "imperialist": []}
    for c, d in obs.expansions(year):
        side = ("soviet" if obs.regions[c] == SOVIET
                else "imperialist" if obs.regions[c] in g.powers else None)
        if side is None:
            continue
        ms = {m.criterion.name: m.value for m in expansion_measurements(obs, c, d, year)}
        gaps[side].append(ms[LANDLORDS_STRUCK.name])
    series = []
    income = sim.results.classes["mean_income"]
    for name in g.buffer + g.west_deps:
        r = sim.geo.names.index(name)
        for klass in ("LANDLORD", "PEASANT"):
            series += series_rows(sim, last, name, f"mean_income_{klass}",
                                  income[: last + 1, r, CLASSES.index(klass)])
    return {"metrics": {f"{side}_gap": _nanmean(v) for side, v in gaps.items()},
            "series": series}


def judge_c3(res: dict[str, Result]) -> Judgement:
    """Peasants outgrow landlords under the USSR; not under the western powers."""
    m = res["actual"]["metrics"]
    details = {"soviet_gap_pct": 100 * m["soviet_gap"],
               "imperialist_gap_pct": 100 * m["imperialist_gap"]}
    if _undecided(m["soviet_gap"], m["imperialist_gap"]):
        return None, math.nan, details
    return (m["soviet_gap"] > 0 >= m["imperialist_gap"],
            100 * (m["soviet_gap"] - m["imperialist_gap"]), details)


# --- C5: the bureaucracy defends collective ownership in the end (seed ¶11) -------------------
DOMINANT = 0.5   # the classifier's COLLECTIVE_PROPERTY_MIN: collective property dominates


def measure_c5(role: str, sim: Sim, last: int) -> Result:
    """The USSR's collective share at the start and in the run's last year; yearly series of
    the collective share and the pro-capitalist tendency P."""
    r = sim.geo.names.index(SOVIET)
    reg = sim.results.regions
    coll = reg["collective_share"][: last + 1, r]
    final_year = int(years_of(sim, last)[-1])
    metrics = {"start": float(coll[0]), "end": year_mean(coll, sim, final_year),
               "lowest": float(np.nanmin(coll)),
               "peak_pressure": float(np.nanmax(reg["pro_capitalist"][: last + 1, r]))}
    series = (series_rows(sim, last, SOVIET, "collective_share", coll)
              + series_rows(sim, last, SOVIET, "pro_capitalist",
                            reg["pro_capitalist"][: last + 1, r]))
    return {"metrics": metrics, "series": series}


def judge_c5(res: dict[str, Result]) -> Judgement:
    """Collective property dominant in the end under dws; the other theories reported."""
    details: dict[str, float] = {}
    for theory in c4.THEORY_ORDER:
        m = res[theory]["metrics"]
        details[f"end_{theory}"] = m["end"]
        details[f"recovered_{theory}"] = float(m["end"] >= DOMINANT)
    m = res[c4.CLAIMED]["metrics"]
    if _undecided(m["end"], m["start"]):
        return None, math.nan, details
    return m["end"] >= DOMINANT, m["end"] - m["start"], details


# --- C6: an attack colonises and throws back (seed ¶12) ---------------------------------------
def measure_c6(role: str, sim: Sim, last: int) -> Result:
    """The USSR at the horizon: defeated, foreign share of its capital, years thrown back, and
    its output per head before the attack and in the horizon's last twelve months."""
    r = sim.geo.names.index(SOVIET)
    reg = sim.results.regions
    foreign = capital_share(sim, "foreign", r, last)
    y = reg["output_per_capita"][: last + 1, r]
    attack = month_index(ATTACK_DATE) - sim.first_month
    colonial = AUTHORITIES.index("colonial")
    metrics = {"defeated": float(reg["authority"][last, r] == colonial
                                 or reg["controller"][last, r] != r),
               "foreign_share": float(foreign[-1]),
               "years_thrown_back": float(reg["years_thrown_back"][last, r]),
               "output_before": float(np.mean(y[: max(attack, 1)])),
               "output_after": float(np.mean(y[-12:]))}
    series = (series_rows(sim, last, SOVIET, "output_per_capita", y)
              + series_rows(sim, last, SOVIET, "foreign_share", foreign)
              + series_rows(sim, last, SOVIET, "years_thrown_back",
                            reg["years_thrown_back"][: last + 1, r]))
    return {"metrics": metrics, "series": series}


def judge_c6(res: dict[str, Result]) -> Judgement:
    """Defeated, colonised (foreign share at least the classifier's 0.2) and thrown back: its
    output per head in the horizon's last year below what it was before the attack."""
    m = res["attack"]["metrics"]
    details = dict(m)
    supports = (m["defeated"] > 0 and m["foreign_share"] >= FOREIGN_OWNERSHIP_MIN
                and m["output_after"] < m["output_before"])
    return supports, m["years_thrown_back"], details


# --- C7: occupation vs withdrawal (seed ¶14) --------------------------------------------------
C7_END = "1955-12"
SURVIVAL_TOLERANCE = 0.05   # five points of capital: the classifier's NATIONALISATION_MIN


def measure_c7(role: str, sim: Sim, last: int) -> Result:
    """World left mobilisation (share of the population of 1946's capitalist and colonial
    regions in left action), prestige D, and the buffer's collective share."""
    g = groups()
    reg = sim.results.regions
    uc = index(sim, g.under_capital)
    left = 100 * reg["active_left"][: last + 1, uc].sum(axis=1) / np.maximum(
        reg["population"][: last + 1, uc].sum(axis=1), 1.0)
    prestige = sim.results.world["prestige"][: last + 1]
    coll = weighted(sim, "collective_share", g.buffer, last)
    final_year = int(years_of(sim, last)[-1])
    councils = AUTHORITIES.index("councils")
    metrics = {"left_pct": float(np.nanmean(left)), "prestige": float(np.nanmean(prestige)),
               "buffer_collective": year_mean(coll, sim, final_year),
               "buffer_councils": float(np.sum(reg["authority"][last, index(sim, g.buffer)]
                                               == councils))}
    series = (series_rows(sim, last, "under_capital", "active_left_pct", left)
              + series_rows(sim, last, "world", "prestige", prestige)
              + series_rows(sim, last, "buffer", "collective_share", coll))
    return {"metrics": metrics, "series": series}


def judge_c7(res: dict[str, Result]) -> Judgement:
    """Withdrawal raises world left mobilisation and prestige and keeps the buffer's collective
    property within five points of occupation's."""
    o, w = res["occupation"]["metrics"], res["withdrawal"]["metrics"]
    d = {k: w[k] - o[k] for k in ("left_pct", "prestige", "buffer_collective")}
    details = {f"diff_{k}": v for k, v in d.items()} | {
        "councils_after_withdrawal": w["buffer_councils"]}
    if _undecided(*d.values()):
        return None, math.nan, details
    supports = (d["left_pct"] > 0 and d["prestige"] > 0
                and d["buffer_collective"] >= -SURVIVAL_TOLERANCE)
    return supports, d["left_pct"], details


# --- C8: imperialism a barrier (seed ¶5) -------------------------------------------------------
C8_END = "1955-12"


def measure_c8(role: str, sim: Sim, last: int) -> Result:
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


def judge_c8(res: dict[str, Result]) -> Judgement:
    """Independence grows faster: the colonies' output per head is higher at the horizon; the
    effect is the difference in annual growth from the same start."""
    c, i = res["colonial"]["metrics"], res["independent"]["metrics"]
    if _undecided(c["y_end"], i["y_end"]) or c["y_end"] <= 0 or i["y_end"] <= 0:
        return None, math.nan, {}
    effect = 100 * math.log(i["y_end"] / c["y_end"]) / c["years"]
    return effect > 0, effect, {"y_colonial": c["y_end"], "y_independent": i["y_end"]}


# --- C9: victims (seed ¶4) ---------------------------------------------------------------------
C9_WINDOWS = {"ussr": ("1929-11", "1933-12"), "buffer": ("1946-01", "1953-12")}


def measure_c9(role: str, sim: Sim, last: int) -> Result:
    """Victims (famine plus terror deaths) in the role's window and regions: absolute, and per
    1000 persons a year; yearly victims for the chart."""
    first, final = C9_WINDOWS[role]
    names = (SOVIET,) if role == "ussr" else groups().buffer
    idx = index(sim, names)
    reg = sim.results.regions
    deaths = (reg["deaths_famine"][: last + 1, idx] + reg["deaths_terror"][: last + 1, idx]
              ).sum(axis=1)
    months = sim.first_month + np.arange(last + 1)
    sel = (months >= month_index(first)) & (months <= month_index(final))
    victims = float(deaths[sel].sum())
    pop = float(reg["population"][: last + 1, idx].sum(axis=1)[sel].mean()) if sel.any() else 0.0
    per = 1000 * victims / pop / (sel.sum() / 12.0) if pop > 0 and sel.any() else math.nan
    region = SOVIET if role == "ussr" else "buffer"
    years = months // 12
    series = [(float(y), region, "victims", float(deaths[years == y].sum()))
              for y in np.unique(years[sel])]
    return {"metrics": {"victims": victims, "per_1000_year": per}, "series": series}


def judge_c9(res: dict[str, Result]) -> Judgement:
    """More victims in the USSR's collectivisation than in the buffer zone, absolute."""
    u, b = res["ussr"]["metrics"], res["buffer"]["metrics"]
    details = {"victims_ussr": u["victims"], "victims_buffer": b["victims"],
               "per_1000_year_ussr": u["per_1000_year"],
               "per_1000_year_buffer": b["per_1000_year"]}
    return u["victims"] > b["victims"], (u["victims"] - b["victims"]) / 1e6, details


# --- the experiments ---------------------------------------------------------------------------
def _ussr1921(theory: str, end: str = "") -> Setting:
    return setting(f"{USSR1921}-{theory}", USSR1921, theory=theory, end=end)


def build() -> dict[str, Experiment]:
    """Every claim's experiment, by claim id."""
    actual = functools.partial(setting, WORLD, WORLD)
    theories = tuple((th, _ussr1921(th)) for th in c4.THEORY_ORDER)
    c2_roles = (("reforms", actual(end=f"{C2_YEARS[-1]}-12")),
                ("restored", setting("world1946-restored", WORLD, restored_overrides(),
                                     end=f"{C2_YEARS[-1]}-12")))
    c2_roles += tuple((sweep_role(p), setting(f"world1946-pillage-{p:g}", WORLD,
                                              pillage_overrides(p), end=C2_SWEEP_END))
                      for p in C2_SWEEP)
    exps = [
        Experiment("C1", WORLD, (("actual", actual(end=C1_END)),
                                 ("swapped", setting("world1946-swapped", WORLD,
                                                     swapped_overrides(), end=C1_END))),
                   measure_c1, judge_c1),
        Experiment("C2", WORLD, c2_roles, measure_c2, judge_c2),
        Experiment("C3", WORLD, (("actual", actual(end=C3_END)),), measure_c3, judge_c3),
        Experiment("C4", USSR1921, theories, c4.measure, c4.judge),
        Experiment("C5", USSR1921, theories, measure_c5, judge_c5),
        Experiment("C6", WORLD, (("attack", setting("world1946-attack", WORLD,
                                                    attack_overrides(), end=attack_end())),),
                   measure_c6, judge_c6),
        Experiment("C7", WORLD, (("occupation", actual(end=C7_END)),
                                 ("withdrawal", setting("world1946-withdrawal", WORLD,
                                                        withdrawal_overrides(), end=C7_END))),
                   measure_c7, judge_c7),
        Experiment("C8", WORLD, (("colonial", actual(end=C8_END)),
                                 ("independent", setting("world1946-independent", WORLD,
                                                         independent_overrides(), end=C8_END))),
                   measure_c8, judge_c8),
        Experiment("C9", WORLD, (("ussr", _ussr1921("dws", end=C9_WINDOWS["ussr"][1])),
                                 ("buffer", actual(end=C9_WINDOWS["buffer"][1]))),
                   measure_c9, judge_c9),
    ]
    return {e.claim: e for e in exps}


EXPERIMENTS: dict[str, Experiment] = build()

__all__ = ["EXPERIMENTS", "ClaimsMeasure", "Experiment", "Plan", "Setting", "build", "flip_rate",
           "groups", "plan", "variant_scenario"]
