"""Counterfactual builders: overrides of world1946's own data that make each claim's
counterfactual world (tables merge key by key, `schedule` and `events` are appended:
`sovsim.claims.ensemble.Variant`). Every number they set is marked assumed, with the
counterfactual's reason; the regions they touch are read from the scenario (`groups`), not
hard-coded."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from sovsim.claims.experiments.framework import COUNTERFACTUAL, SOVIET, WORLD, base, year_end
from sovsim.world.build import date_of, month_index
from sovsim.world.priors import priors_of


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
