"""The house's rules hold: plan entries live in the modules they name, each agent field and
recorded variable has one owner, authorities see every recorded region variable, and parameters
are typed."""

from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import numpy as np
import pytest

import sovsim
from sovsim.engine.results import (
    CLASS_VARIABLES,
    ECONOMY_MODULES,
    POLITICS_CLASS_VARIABLES,
    POLITICS_MODULES,
    POLITICS_REGION_VARIABLES,
    REGION_VARIABLES,
)
from sovsim.engine.sim import Sim
from sovsim.world.build import InitialWorld, build_world
from sovsim.world.loading import load
from sovsim.world.pars import PARS, Pars

ODD = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text()


@pytest.fixture(scope="module")
def sim(tiny_path: Path) -> Sim:
    s = Sim(tiny_path, agents=500, seed=3)
    for _ in range(3):
        s.step()
    return s


def test_plan_module_column_names_the_module_that_holds_the_method(sim: Sim) -> None:
    for entry in sim.plan:
        module = importlib.import_module(entry.module)
        owner = entry.method.__self__
        assert type(owner).__module__ == module.__name__, entry
        assert getattr(type(owner), entry.name) is entry.method.__func__
        assert entry.doc, entry


def test_every_agent_field_has_one_owner_and_is_in_the_odd(sim: Sim) -> None:
    owners: dict[str, str] = {}
    for module in sim.modules.values():
        for name in module.agent_fields:
            assert name not in owners, f"{name}: {owners[name]} and {module.name}"
            owners[name] = module.name
    assert set(owners) == set(sim.people.fields)
    for name, dtype in sim.people.fields.items():
        owner = owners[name].removeprefix("sovsim.")
        row = rf"^\s*\| `{name}` \| {np.dtype(dtype).name} \| {re.escape(owner)} \|"
        assert re.search(row, ODD, flags=re.M), name


def test_the_tables_of_variables_know_every_module_of_the_sim(sim: Sim) -> None:
    # a module the tables miss would record variables that docs/OUTPUTS.md and reports ignore
    assert sorted(type(m).__name__ for m in sim.modules.values()) == sorted(
        m.__name__ for m in ECONOMY_MODULES + POLITICS_MODULES)


def test_every_recorded_variable_is_written_by_its_module(sim: Sim) -> None:
    declared = {**REGION_VARIABLES, **POLITICS_REGION_VARIABLES}
    assert set(sim.results.regions) == set(declared)
    assert set(sim.results.classes) == {**CLASS_VARIABLES, **POLITICS_CLASS_VARIABLES}.keys()
    for name, arr in sim.results.regions.items():
        assert not np.isnan(arr[: sim.t]).any(), name
        assert np.isnan(arr[sim.t:]).all(), name


def test_authorities_see_every_region_variable_of_the_last_step(sim: Sim) -> None:
    obs = sim.modules["sovsim.politics.government"].observe(sim.world)
    assert set(obs.recorded) == set(sim.results.regions)
    for name, row in obs.recorded.items():
        np.testing.assert_array_equal(row, sim.results.regions[name][sim.t - 1], err_msg=name)


def test_modules_hold_no_sim() -> None:
    sim = Sim(Path(__file__).parent / "data" / "tiny.toml", agents=100)
    for module in sim.modules.values():
        assert not any(value is sim for value in vars(module).values()), module.name


def test_pars_are_typed_frozen_and_readable_by_name(tiny_path: Path) -> None:
    start = build_world(load(tiny_path))
    assert isinstance(start, InitialWorld)
    pars = start.pars
    assert isinstance(pars, Pars)
    assert [f.name for f in dataclasses.fields(pars)] == list(PARS)
    assert pars.tendency_spread == pars["tendency_spread"] == pars.get("tendency_spread")
    assert dict(pars) == {name: getattr(pars, name) for name in PARS}
    with pytest.raises(dataclasses.FrozenInstanceError):
        pars.eta = 1.0  # type: ignore[misc]
    changed = pars.replace(eta=pars.eta + 0.1)
    assert changed.eta == pars.eta + 0.1 and changed.sigma_heavy == pars.sigma_heavy
    with pytest.raises(KeyError):
        pars["no_such_parameter"]
    values = dict(pars)
    del values["eta"]
    with pytest.raises(ValueError, match="missing \\['eta'\\]"):
        Pars.from_mapping(values)


def test_package_exports_sim_and_load(tiny_path: Path) -> None:
    from sovsim import Sim as PackageSim
    from sovsim import load as package_load

    assert PackageSim is Sim and package_load is load
    assert isinstance(sovsim.Sim(package_load(tiny_path), agents=50), Sim)
