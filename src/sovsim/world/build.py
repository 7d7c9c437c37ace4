"""From a scenario to the initial world: regions, capital, productivity, agents, policy.

The initial capital and productivity are not free numbers: they follow from each region's
sourced population and output per head, its output shares by sector and its class composition,
under the behavioural parameters (capital-output ratios, participation, employment):
Y_s = y P share_s, K_s = sigma_s Y_s, a_s = Y_s / L_s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sovsim.world.economy import Economy, Technology
from sovsim.world.loading import LoadedScenario
from sovsim.world.names import (
    AUTHORITIES,
    BLOCS,
    LEVERS,
    N_CLASSES,
    N_OWNERS,
    N_SECTORS,
    Klass,
    Owner,
    Sector,
)
from sovsim.world.pars import Pars
from sovsim.world.schema import number_values


def month_index(date: str) -> int:
    """Months since year 0 of a 'YYYY-MM' date."""
    year, month = date.split("-")
    return int(year) * 12 + int(month) - 1


def date_of(index: int) -> str:
    """The 'YYYY-MM' date of a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class Geography:
    """Fixed facts about the regions (names, blocs, authorities at the start, demography)."""

    names: list[str]
    bloc: np.ndarray          # (R,) index into BLOCS
    authority: np.ndarray     # (R,) index into AUTHORITIES
    birth_rate: np.ndarray    # (R,) per person per year
    death_rate: np.ndarray    # (R,) per person per year
    population: np.ndarray    # (R,) initial persons

    def index(self, name: str) -> int:
        return self.names.index(name)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to `weights` that sum exactly to `total`."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    short = total - int(base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:short]] += 1
    return base


def technology(pars: Mapping[str, float],
               regional: list[dict[str, float]] | None = None) -> Technology:
    """Sector parameters from the scenario's `pars`; with `regional` (one dict per region of
    its own `[regions.X.pars]` values) sigma and g0 are (R, S), eta and saving_capitalist (R,),
    each region's own value where it sets one and the shared value elsewhere."""
    names = [s.name.lower() for s in Sector]
    if regional is None:
        return Technology(
            sigma=np.array([pars[f"sigma_{n}"] for n in names]),
            delta=np.array([pars[f"delta_{n}"] for n in names]),
            g0=np.array([pars[f"g0_{n}"] for n in names]),
            eta=pars.eta,
            landlord_drag=pars.landlord_drag,
        )

    def own(name: str) -> np.ndarray:
        return np.array([over.get(name, pars[name]) for over in regional])

    return Technology(
        sigma=np.stack([own(f"sigma_{n}") for n in names], axis=1),
        delta=np.array([pars[f"delta_{n}"] for n in names]),
        g0=np.stack([own(f"g0_{n}") for n in names], axis=1),
        eta=own("eta"),
        landlord_drag=pars.landlord_drag,
        saving_capitalist=own("saving_capitalist"),
    )


@dataclass
class InitialWorld:
    """The world of a scenario at its start, in named parts."""

    geo: Geography
    econ: Economy
    lever: dict[str, np.ndarray]  # policy levers, (R,) each
    class_shares: np.ndarray      # (R, K) share of each class in each region's population
    pars: Pars


def build_world(loaded: LoadedScenario) -> InitialWorld:
    """Geography, economy, policy levers (R,), class shares (R, K) and parameters at the start."""
    sc = loaded.model
    pars = loaded.pars
    names = list(sc.regions)
    R = len(names)
    if R > 255:
        raise ValueError("at most 255 regions")
    geo = Geography(
        names=names,
        bloc=np.array([BLOCS.index(r.bloc) for r in sc.regions.values()]),
        authority=np.array([AUTHORITIES.index(r.authority) for r in sc.regions.values()]),
        birth_rate=np.array([r.birth_rate.value / 1000.0 for r in sc.regions.values()]),
        death_rate=np.array([r.death_rate.value / 1000.0 for r in sc.regions.values()]),
        population=np.array([r.population.value * 1000.0 for r in sc.regions.values()]),
    )
    # Shared (S,) arrays unless some region sets its own growth parameters: the common case
    # stays exactly as before, and (R, S) arrays appear only where a scenario needs them.
    regional = [number_values(r.pars) for r in sc.regions.values()]
    tech = technology(pars, regional if any(regional) else None)
    K = np.zeros((R, N_SECTORS, N_OWNERS))
    F = np.zeros((R, R, N_SECTORS))
    a = np.ones((R, N_SECTORS))
    wage = np.zeros(R)
    employment = np.ones(R)
    planned = np.array([r.wage_setting == "planned" for r in sc.regions.values()])
    controller = np.array([names.index(r.controller) if r.controller else i
                           for i, r in enumerate(sc.regions.values())])
    class_shares = np.zeros((R, N_CLASSES))
    part = pars.participation
    for i, reg in enumerate(sc.regions.values()):
        P = geo.population[i]
        Y = reg.output_per_capita.value * P * np.array(reg.sectors.vector())
        shares = np.array(reg.classes.vector())
        class_shares[i] = shares
        workers = part * P * shares[Klass.WORKER]
        rural = part * P * (shares[Klass.PEASANT] + shares[Klass.COLLECTIVE_FARMER])
        employment[i] = 1.0 if planned[i] else pars.initial_employment
        L_ind = max(employment[i] * workers, 1.0)
        a[i, Sector.HEAVY] = a[i, Sector.LIGHT] = max(
            (Y[Sector.HEAVY] + Y[Sector.LIGHT]) / L_ind, 1.0)
        L_agri = max((1 - pars.rural_surplus_labour) * rural, 1.0)
        a[i, Sector.AGRI] = max(Y[Sector.AGRI] / L_agri, 1.0)
        Ks = (tech.sigma if tech.sigma.ndim == 1 else tech.sigma[i]) * Y
        for s in Sector:
            K[i, s] = Ks[s] * np.array(getattr(reg.ownership, s.name).vector())
        if reg.foreign_owners is not None:
            for owner, share in reg.foreign_owners.shares().items():
                F[i, names.index(owner)] = K[i, :, Owner.FOREIGN] * share
        elif K[i, :, Owner.FOREIGN].sum() > 0:
            F[i, controller[i]] = K[i, :, Owner.FOREIGN]
        wage[i] = reg.wage_share.value * a[i, Sector.HEAVY]
    econ = Economy(K, F, a, wage, employment, planned, controller, tech)

    lever = {name: np.zeros(R) for name in LEVERS}
    for name, number in sc.policy.items():
        lever[name][:] = number.value
    for i, reg in enumerate(sc.regions.values()):
        for name, number in reg.policy.items():
            lever[name][i] = number.value
    return InitialWorld(geo, econ, lever, class_shares, pars)


def schedule_table(loaded: LoadedScenario) -> list[tuple[int, int, str, float]]:
    """Scheduled policy changes as (month index, region index, lever, value), in date order."""
    sc = loaded.model
    names = list(sc.regions)
    rows = [(month_index(c.date), names.index(c.region), c.lever, c.value.value)
            for c in sc.schedule]
    return sorted(rows, key=lambda row: row[0])
