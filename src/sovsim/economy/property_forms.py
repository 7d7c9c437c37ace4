"""Changes of property form: nationalisation, agrarian reform, collectivisation, expropriation of
small producers, and pillage (seed ¶4-7).

Each lever is a yearly rate; a step moves `rate * dt` of the remaining stock. The function returns
the shares of each class's agents that the change moves, so that people follow property.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sovsim.world.economy import Economy, Flows
from sovsim.world.module import Module, Variable
from sovsim.world.names import Owner, Sector
from sovsim.world.pars import Pars
from sovsim.world.state import World

INDUSTRY = [Sector.HEAVY, Sector.LIGHT]


@dataclass
class PropertyMoves:
    """Shares of agents moved by this step's changes of property, by region."""

    capitalists_dispossessed: np.ndarray
    landlords_dispossessed: np.ndarray
    peasants_collectivised: np.ndarray
    forced: np.ndarray               # bool: collectivisation faster than the forced threshold
    small_expropriated: np.ndarray   # peasants and artisans pushed into wage labour
    conceded: np.ndarray             # share moved back to private forms by a right course


def _move(K: np.ndarray, sectors: list[int], src: int, dst: int, frac: np.ndarray) -> np.ndarray:
    moved = K[:, sectors, src] * frac[:, None]
    K[:, sectors, src] -= moved
    K[:, sectors, dst] += moved
    return moved.sum(axis=1)


def collective_share(K: np.ndarray) -> np.ndarray:
    """(STATE + COLLECTIVE) / all capital, by region."""
    by_owner = K.sum(axis=1)
    total = by_owner.sum(axis=1)
    return np.divide(by_owner[:, Owner.STATE] + by_owner[:, Owner.COLLECTIVE], total,
                     out=np.ones_like(total), where=total > 0)


def defended_concession(K: np.ndarray, pars: dict[str, float]) -> np.ndarray:
    """Share of a right course's concessions of property the ruling caste lets through, (R,).

    Seed ¶11: the caste's privileges rest on collective property, and it "is forced in the end
    to defend the collective ownership". Concessions (leases of state trade and light industry,
    collective land back to household plots) shrink as the collective share c of capital falls
    toward the share at which the caste turned against private accumulation,
    `property_defence_share` c*: they are scaled by (c - c*) / (1 - c*), clipped to [0, 1], and
    stop at c*. With c* = 0 they are scaled by c alone (near 1 in a planned region)."""
    floor = pars.get("property_defence_share", 0.0)
    c = collective_share(K)
    if floor <= 0:
        return np.ones_like(c)
    return np.clip((c - floor) / max(1.0 - floor, 1e-9), 0.0, 1.0)


def transform(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
              pars: Pars, dt: float) -> PropertyMoves:
    """Apply this step's changes of property form and pillage to the capital stocks."""
    K, R = econ.K, econ.n_regions
    own = np.arange(R)

    # Nationalisation of industry: PRIVATE and FOREIGN become STATE (seed ¶6).
    nat = np.clip(lever["nationalisation_rate"] * dt, 0.0, 1.0)
    _move(K, INDUSTRY, Owner.PRIVATE, Owner.STATE, nat)
    # capital owned by the region's own controller (joint companies) is not nationalised
    exempt = np.zeros((R, R, 1))
    exempt[own, econ.controller, 0] = 1.0
    exempt[own, own, 0] = 0.0
    taken = econ.F[:, :, INDUSTRY] * nat[:, None, None] * (1.0 - exempt)
    econ.F[:, :, INDUSTRY] -= taken
    K[:, INDUSTRY, Owner.FOREIGN] -= taken.sum(axis=1)
    K[:, INDUSTRY, Owner.STATE] += taken.sum(axis=1)

    # The course (seed ¶10-11): a left course takes private industry and trade into the state;
    # a right course concedes markets and private plots (state trade and light industry leased
    # to private owners, collective land back to household plots).
    x = lever["course"]
    crack = np.clip(pars.course_property_rate * np.maximum(x, 0.0) * dt, 0.0, 1.0)
    concede = np.clip(pars.course_property_rate * np.maximum(-x, 0.0) * dt, 0.0, 1.0)
    concede = concede * defended_concession(K, pars)
    _move(K, INDUSTRY, Owner.PRIVATE, Owner.STATE, crack)
    _move(K, [Sector.LIGHT], Owner.STATE, Owner.PRIVATE, concede)
    _move(K, [Sector.AGRI], Owner.COLLECTIVE, Owner.SMALL, concede)

    # Agrarian reform: landlord land to the peasants (seed ¶6-7).
    reform = np.clip(lever["agrarian_reform_rate"] * dt, 0.0, 1.0)
    _move(K, [Sector.AGRI], Owner.LANDLORD, Owner.SMALL, reform)

    # Collectivisation: peasant land into collective farms; when forced, part is destroyed
    # (slaughtered livestock, lost harvests: seed ¶4).
    coll_rate = lever["collectivisation_rate"]
    coll = np.clip(coll_rate * dt, 0.0, 1.0)
    moved = _move(K, [Sector.AGRI], Owner.SMALL, Owner.COLLECTIVE, coll)
    forced = coll_rate > pars.forced_collectivisation
    lost = np.where(forced, pars.collectivisation_loss * moved, 0.0)
    K[:, Sector.AGRI, Owner.COLLECTIVE] -= lost
    flows.destroyed[:] = lost / dt

    # Expropriation of small producers by capital (seed ¶5): in a dependency half the land goes
    # to foreign plantations of the controller and half to landlords; workshops to foreign
    # capital; at home to domestic capitalists and landlords.
    expr = np.clip(lever["expropriation_rate"] * dt, 0.0, 1.0)
    dependent = econ.controller != own
    land = K[:, Sector.AGRI, Owner.SMALL] * expr
    shops = K[:, Sector.LIGHT, Owner.SMALL] * expr
    K[:, Sector.AGRI, Owner.SMALL] -= land
    K[:, Sector.LIGHT, Owner.SMALL] -= shops
    K[:, Sector.AGRI, Owner.LANDLORD] += np.where(dependent, 0.5 * land, 0.5 * land)
    K[:, Sector.AGRI, Owner.FOREIGN] += np.where(dependent, 0.5 * land, 0.0)
    K[:, Sector.AGRI, Owner.PRIVATE] += np.where(dependent, 0.0, 0.5 * land)
    K[:, Sector.LIGHT, Owner.FOREIGN] += np.where(dependent, shops, 0.0)
    K[:, Sector.LIGHT, Owner.PRIVATE] += np.where(dependent, 0.0, shops)
    for r in np.flatnonzero(dependent):
        econ.F[r, econ.controller[r], Sector.AGRI] += 0.5 * land[r]
        econ.F[r, econ.controller[r], Sector.LIGHT] += shops[r]

    _pillage(econ, flows, lever, pars, dt)
    return PropertyMoves(np.maximum(nat, crack), reform, coll, forced, expr, concede)


def _pillage(econ: Economy, flows: Flows, lever: dict[str, np.ndarray],
             pars: Pars, dt: float) -> None:
    """Pillage: a share of a dependency's industrial equipment shipped to its controller's
    state industry, part of it lost on the way (seed ¶6)."""
    K, R = econ.K, econ.n_regions
    rate = np.clip(lever["pillage_rate"] * dt, 0.0, 1.0)
    rate[econ.controller == np.arange(R)] = 0.0
    flows.pillage_out[:] = 0.0
    flows.pillage_in[:] = 0.0
    flows.pillage[:] = 0.0
    if not rate.any():
        return
    shipped = K[:, INDUSTRY, :] * rate[:, None, None]        # (R, 2, O)
    K[:, INDUSTRY, :] -= shipped
    econ.F[:, :, INDUSTRY] *= (1 - rate)[:, None, None]
    arrive = shipped.sum(axis=2) * (1 - pars.pillage_loss)  # (R, 2)
    for r in np.flatnonzero(rate > 0):
        K[econ.controller[r], INDUSTRY, Owner.STATE] += arrive[r]
        flows.pillage_in[econ.controller[r]] += arrive[r].sum() / dt
        flows.pillage[r, econ.controller[r]] = shipped[r].sum() / dt
    flows.pillage_out[:] = shipped.sum(axis=(1, 2)) / dt


# --- the property-forms module of the step plan ---------------------------------------------

class PropertyForms(Module):
    """Nationalisation, agrarian reform, collectivisation, expropriation, the course's drift of
    property and pillage; the shares of people whom these changes move (for the population)."""

    shared: ClassVar[dict[str, str]] = {
        name: f"share of agents moved this step: {name.replace('_', ' ')}"
        for name in PropertyMoves.__dataclass_fields__}
    region_results: ClassVar[dict[str, Variable]] = {
        **{f"capital_{o.name.lower()}": Variable("1990 GK$", meaning) for o, meaning in zip(
            Owner, ("capital owned by the state",
                    "capital owned by domestic capitalists",
                    "capital owned by capitalists of other regions",
                    "land and capital of landlords",
                    "capital of peasants and artisans who work it",
                    "capital of collective farms and cooperatives"), strict=True)},
        "collective_share": Variable("share", "(state + collective capital) / all capital"),
        "pillage_out": Variable("1990 GK$/year", "industrial capital shipped to the controller"),
        "pillage_in": Variable("1990 GK$/year",
                               "pillaged capital arriving (after transfer losses)"),
        "capital_destroyed": Variable("1990 GK$/year",
                                      "capital destroyed by forced collectivisation"),
    }
    link_results: ClassVar[dict[str, Variable]] = {
        "pillage": Variable("1990 GK$/year",
                            "equipment shipped from `source` to its controller `target`"),
    }

    def init(self, world: World) -> None:
        R = world.n_regions
        for name in self.shared:
            world.regions[name] = np.zeros(R, dtype=bool if name == "forced" else float)

    def transform_property(self, world: World) -> None:
        """Nationalisation, agrarian reform (sped up by left action under occupation, seed ¶7),
        collectivisation, expropriation, the course's drift of property, pillage."""
        lever = dict(world.lever)
        boost = world.regions["reform_boost"]
        lever["nationalisation_rate"] = world.lever["nationalisation_rate"] + boost
        lever["agrarian_reform_rate"] = world.lever["agrarian_reform_rate"] + boost
        moves = transform(world.econ, world.flows, lever, world.pars, world.dt)
        for name in self.shared:
            world.regions[name] = getattr(moves, name)

    def record(self, world: World) -> None:
        t, f, reg = world.t, world.flows, world.results.regions
        by_owner = world.econ.K.sum(axis=1)
        for o in Owner:
            reg[f"capital_{o.name.lower()}"][t] = by_owner[:, o]
        all_K = by_owner.sum(axis=1)
        reg["collective_share"][t] = np.divide(
            by_owner[:, Owner.STATE] + by_owner[:, Owner.COLLECTIVE], all_K,
            out=np.zeros_like(all_K), where=all_K > 0)
        reg["pillage_out"][t] = f.pillage_out
        reg["pillage_in"][t] = f.pillage_in
        reg["capital_destroyed"][t] = f.destroyed
        world.results.links["pillage"][t] = f.pillage
