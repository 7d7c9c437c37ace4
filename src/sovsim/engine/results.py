"""Pre-allocated time series of the observables, by region and by region and class."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# name -> (unit, meaning); docs/OUTPUTS.md is written from these tables (tests check it).
REGION_VARIABLES: dict[str, tuple[str, str]] = {
    "population": ("persons", "living persons (agents x people_per_agent)"),
    "output_per_capita": ("1990 GK$/person/year",
                          "output (GDP) per person, the unit of Maddison 2010 and MPD2013"),
    "output_heavy": ("1990 GK$/year", "output of HEAVY (Department I, means of production)"),
    "output_light": ("1990 GK$/year", "output of LIGHT (Department II, consumer goods)"),
    "output_agri": ("1990 GK$/year", "output of AGRI (agriculture)"),
    "capital_state": ("1990 GK$", "capital owned by the state"),
    "capital_private": ("1990 GK$", "capital owned by domestic capitalists"),
    "capital_foreign": ("1990 GK$", "capital owned by capitalists of other regions"),
    "capital_landlord": ("1990 GK$", "land and capital of landlords"),
    "capital_small": ("1990 GK$", "capital of peasants and artisans who work it"),
    "capital_collective": ("1990 GK$", "capital of collective farms and cooperatives"),
    "collective_share": ("share", "(state + collective capital) / all capital"),
    "employment_rate": ("share", "employed / industrial labour force"),
    "wage_share": ("share", "wages / output"),
    "investment": ("1990 GK$/year", "gross real investment at home (all owners)"),
    "exported_capital": ("1990 GK$/year", "capital exported to controlled regions"),
    "imported_capital": ("1990 GK$/year", "capital received from other regions' exports"),
    "repatriated_profit": ("1990 GK$/year", "FOREIGN profit sent out of this region"),
    "repatriated_in": ("1990 GK$/year", "profit received from capital owned abroad"),
    "state_budget": ("1990 GK$/year", "state surplus plus procurement"),
    "privileges": ("1990 GK$/year", "privileges of the bureaucracy (Pi x state budget)"),
    "procurement_value": ("1990 GK$/year", "value procured from peasants and collectives"),
    "idle_heavy": ("1990 GK$/year", "HEAVY output for which no investment demand was found"),
    "capital_goods_sold": ("1990 GK$/year", "HEAVY output sold to other regions' investors"),
    "capital_goods_bought": ("1990 GK$/year", "capital goods bought from other regions"),
    "idle_savings": ("1990 GK$/year", "savings that found no capital goods and no export"),
    "pillage_out": ("1990 GK$/year", "industrial capital shipped to the controller"),
    "pillage_in": ("1990 GK$/year", "pillaged capital arriving (after transfer losses)"),
    "capital_destroyed": ("1990 GK$/year", "capital destroyed by forced collectivisation"),
    "deaths_war": ("persons/month", "deaths in war this step"),
    "births": ("persons/month", "births this step"),
    "deaths_natural": ("persons/month", "deaths at the region's death rate this step"),
    "deaths_famine": ("persons/month", "deaths from the famine of forced collectivisation"),
    "emigrants": ("persons/month", "dispossessed persons who emigrated this step"),
}

# flows between two regions, from `source` to `target`
LINK_VARIABLES: dict[str, tuple[str, str]] = {
    "control": ("1", "1 when `source` governs `target` (its controller) this step"),
    "capital_export": ("1990 GK$/year", "capital exported by `source` into `target`"),
    "profit_repatriation": ("1990 GK$/year",
                            "profit of capital owned by `target` sent home from `source`"),
    "pillage": ("1990 GK$/year", "equipment shipped from `source` to its controller `target`"),
}

POLITICS_REGION_VARIABLES: dict[str, tuple[str, str]] = {
    "active_left": ("persons", "persons in left (proletarian) action"),
    "active_right": ("persons", "persons in right (restorationist) action"),
    "jailed": ("persons", "persons in jail"),
    "deaths_terror": ("persons/month", "jailed persons who died under terror this step"),
    "course": ("[-1, 1]", "course x: -1 concessions to private accumulation, +1 crackdown"),
    "lambda": ("share", "share of planned investment going to HEAVY"),
    "privilege_share": ("share", "share of the state budget consumed as privileges"),
    "procurement": ("share", "share of peasant and collective-farm income procured"),
    "enforcers": ("persons", "enforcers (police, internal troops, occupation forces)"),
    "pro_capitalist": ("[0, 1]", "strength P of the pro-capitalist tendency"),
    "proletarian": ("[0, 1]", "strength W of the proletarian tendency"),
    "years_thrown_back": ("years", "years back on its own path the region fell in its last "
                                   "lost war (0 if none)"),
    "authority": ("index", "ruling authority, index into sovsim.world.names.AUTHORITIES"),
    "controller": ("index", "governing region, index into meta.json `regions`"),
}

POLITICS_CLASS_VARIABLES: dict[str, tuple[str, str]] = {
    "legitimacy": ("[0, 1]", "legitimacy of the ruling authority in the class"),
    "tendency": ("[-1, 1]", "mean tendency: -1 restorationist, +1 proletarian"),
}

WORLD_VARIABLES: dict[str, tuple[str, str]] = {
    "prestige": ("[0, 1]", "prestige D of the October conquests among the world's workers"),
}

CLASS_VARIABLES: dict[str, tuple[str, str]] = {
    "count": ("persons", "living persons of the class (dispossessed included)"),
    "mean_income": ("1990 GK$/person/year", "mean income of the class's agents"),
    "hardship": ("share", "mean hardship H in [0,1] of the class's agents"),
}


@dataclass
class Results:
    """Observables recorded at the end of each step."""

    n_steps: int
    n_regions: int
    n_classes: int
    regions: dict[str, np.ndarray] = field(default_factory=dict)
    classes: dict[str, np.ndarray] = field(default_factory=dict)
    world: dict[str, np.ndarray] = field(default_factory=dict)
    links: dict[str, np.ndarray] = field(default_factory=dict)

    def add_region_variable(self, name: str) -> np.ndarray:
        arr = np.full((self.n_steps, self.n_regions), np.nan)
        self.regions[name] = arr
        return arr

    def add_class_variable(self, name: str) -> np.ndarray:
        arr = np.full((self.n_steps, self.n_regions, self.n_classes), np.nan)
        self.classes[name] = arr
        return arr

    def add_world_variable(self, name: str) -> np.ndarray:
        arr = np.full(self.n_steps, np.nan)
        self.world[name] = arr
        return arr

    @classmethod
    def allocate(cls, n_steps: int, n_regions: int, n_classes: int) -> Results:
        res = cls(n_steps, n_regions, n_classes)
        for name in REGION_VARIABLES:
            res.add_region_variable(name)
        for name in CLASS_VARIABLES:
            res.add_class_variable(name)
        for name in LINK_VARIABLES:
            res.links[name] = np.zeros((n_steps, n_regions, n_regions))
        return res
