"""What the calibration sets: each bloc's knobs (parameters or levers, tied within a bloc),
their bounds, and the scenario with a candidate's values written into its regions."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sovsim.calibration.data import Bloc
from sovsim.world.loading import LoadedScenario, validate
from sovsim.world.names import LEVER_DOMAINS
from sovsim.world.pars import PARS
from sovsim.world.schema import REGIONAL_PARS


@dataclass(frozen=True)
class Knob:
    """One calibrated number of a bloc: parameters or levers set to one value in every region
    of the bloc (`names` are tied), searched within [low, high]."""

    label: str
    table: Literal["pars", "policy"]
    names: tuple[str, ...]
    low: float
    high: float
    unit: str = "1"


def check_knob(knob: Knob) -> None:
    """Refuse a knob whose bounds leave the domain of what it sets (a parameter's PARS domain
    or a lever's LEVER_DOMAINS), so that no candidate world is refused mid-fit."""
    for name in knob.names:
        if knob.table == "pars":
            if name not in REGIONAL_PARS:
                raise ValueError(f"knob {knob.label}: `{name}` cannot be set per region")
            low, high = PARS[name].low, PARS[name].high
        else:
            low, high = LEVER_DOMAINS[name]
        if not low <= knob.low < knob.high <= high:
            raise ValueError(f"knob {knob.label}: bounds [{knob.low}, {knob.high}] leave the "
                             f"domain [{low}, {high}] of `{name}`")


G0_INDUSTRY = Knob("g0_industry", "pars", ("g0_heavy", "g0_light"), -0.03, 0.06, "1/year")
G0_AGRI = Knob("g0_agri", "pars", ("g0_agri",), -0.03, 0.06, "1/year")
ETA = Knob("eta", "pars", ("eta",), 0.0, 1.0)
ACCUMULATION = Knob("accumulation_share", "policy", ("accumulation_share",), 0.1, 0.85)
LAM = Knob("lam", "policy", ("lam",), 0.1, 0.9)
SAVING = Knob("saving_capitalist", "pars", ("saving_capitalist",), 0.05, 0.95)

BLOC_KNOBS: dict[str, tuple[Knob, ...]] = {
    "USSR": (ACCUMULATION, LAM, G0_INDUSTRY, ETA),
    "buffer": (ACCUMULATION, LAM, G0_INDUSTRY, ETA),
    "western": (G0_INDUSTRY, G0_AGRI, ETA, SAVING),
    "colonies": (G0_INDUSTRY, G0_AGRI, ETA, SAVING),
}


def knob_values(loaded: LoadedScenario, bloc: Bloc, knobs: Sequence[Knob]) -> np.ndarray:
    """Each knob's current value in the scenario: the mean over the bloc's regions of each
    region's own value (or the shared default) of the knob's first name."""
    data = loaded.resolved
    out = []
    for knob in knobs:
        name = knob.names[0]
        shared = data.get(knob.table, {}).get(name, {}).get("value")
        vals = [data["regions"][r].get(knob.table, {}).get(name, {}).get("value", shared)
                for r in bloc.regions]
        if any(v is None for v in vals):
            raise KeyError(f"{knob.table}.{name} has no value in the scenario")
        out.append(float(np.mean(vals)))
    return np.array(out)


def with_values(loaded: LoadedScenario, blocs: Sequence[Bloc],
                knobs: Mapping[str, Sequence[Knob]], values: Mapping[str, Sequence[float]],
                provenance: Mapping[str, Any] | None = None) -> LoadedScenario:
    """The scenario with each bloc's knob values written into its regions' `[regions.X.pars]`
    and `[regions.X.policy]` tables, validated."""
    data = copy.deepcopy(loaded.resolved)
    note = dict(provenance or {"source": "calibration candidate"})
    for bloc in blocs:
        for knob, value in zip(knobs[bloc.name], values[bloc.name], strict=True):
            for region in bloc.regions:
                table = data["regions"][region].setdefault(knob.table, {})
                for name in knob.names:
                    table[name] = {"value": float(value), **note}
    return LoadedScenario(validate(data, loaded.path), loaded.path, data)
