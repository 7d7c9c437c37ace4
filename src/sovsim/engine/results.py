"""The tables of recorded variables, gathered from the mechanism modules that own them.

Each module declares the variables it records (`sovsim.world.module.Module`); this module puts
them together, economy and politics apart, as name -> (unit, meaning). docs/OUTPUTS.md is written
from these tables (tests check it). The container of the time series is
`sovsim.world.results.Results`.
"""

from __future__ import annotations

import numpy as np

from sovsim.economy.accumulation import Accumulation
from sovsim.economy.incomes import Incomes
from sovsim.economy.population import Population
from sovsim.economy.production import Production
from sovsim.economy.property_forms import PropertyForms
from sovsim.politics.events import Events
from sovsim.politics.government import Government
from sovsim.politics.legitimacy import Legitimacy
from sovsim.politics.mobilisation.regions import Mobilisation
from sovsim.politics.prestige import Prestige
from sovsim.politics.schedule import Schedule
from sovsim.politics.tendency import Tendencies
from sovsim.politics.war import Warfare
from sovsim.world.module import Module
from sovsim.world.results import Results

# in the order their results are allocated (and written)
ECONOMY_MODULES: tuple[type[Module], ...] = (Population, Production, PropertyForms,
                                             Accumulation, Incomes)
POLITICS_MODULES: tuple[type[Module], ...] = (Schedule, Events, Government, Warfare, Legitimacy,
                                              Tendencies, Mobilisation, Prestige)
KINDS = ("region_results", "class_results", "world_results", "link_results")


def _table(modules: tuple[type[Module], ...], kind: str) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for module in modules:
        for name, var in getattr(module, kind).items():
            out[name] = (var.unit, var.meaning)
    return out


def _check_unique() -> None:
    """A variable has one owner: two modules declaring one name would overwrite each other."""
    for kind in KINDS:
        seen: dict[str, str] = {}
        for module in ECONOMY_MODULES + POLITICS_MODULES:
            for name in getattr(module, kind):
                if name in seen:
                    raise TypeError(f"{kind} `{name}` is declared by both {seen[name]} and "
                                    f"{module.__module__}")
                seen[name] = module.__module__


_check_unique()

# name -> (unit, meaning)
REGION_VARIABLES = _table(ECONOMY_MODULES, "region_results")
POLITICS_REGION_VARIABLES = _table(POLITICS_MODULES, "region_results")
CLASS_VARIABLES = _table(ECONOMY_MODULES, "class_results")
POLITICS_CLASS_VARIABLES = _table(POLITICS_MODULES, "class_results")
WORLD_VARIABLES = _table(ECONOMY_MODULES + POLITICS_MODULES, "world_results")
# flows between two regions, from `source` to `target`
LINK_VARIABLES = _table(ECONOMY_MODULES + POLITICS_MODULES, "link_results")
# every agent field of a Sim, name -> dtype (its memory per agent before a Sim is built)
AGENT_FIELDS: dict[str, np.dtype] = {
    name: np.dtype(dt) for module in ECONOMY_MODULES + POLITICS_MODULES
    for name, dt in module.agent_fields.items()}


def allocate(modules: list[Module], n_steps: int, n_regions: int, n_classes: int) -> Results:
    """Empty results with every variable the modules record."""
    res = Results(n_steps, n_regions, n_classes)
    for module in modules:
        for name in module.region_results:
            res.add_region_variable(name)
        for name in module.class_results:
            res.add_class_variable(name)
        for name in module.world_results:
            res.add_world_variable(name)
        for name in module.link_results:
            res.add_link_variable(name)
    return res


__all__ = ["CLASS_VARIABLES", "LINK_VARIABLES", "POLITICS_CLASS_VARIABLES",
           "POLITICS_REGION_VARIABLES", "REGION_VARIABLES", "WORLD_VARIABLES", "Results",
           "allocate"]
