"""The classifier reads flows, not blocs: in world1946, swapping the policies of the USSR's
dependencies with those of the western powers' swaps the labels of their expansions (C1)."""

from __future__ import annotations

import pytest

from sovsim.claims.ensemble import Draw, Variant, scenario_for
from sovsim.claims.experiments.c1 import measure
from sovsim.claims.experiments.counterfactuals import swapped_overrides
from sovsim.engine.sim import Sim

END = {"scenario": {"end": "1949-12"}}


@pytest.fixture(scope="module")
def shares() -> dict[str, dict[str, float]]:
    out = {}
    for role, overrides in (("actual", END), ("swapped", {**swapped_overrides(), **END})):
        sc = scenario_for(Variant(role, "world1946", overrides=overrides), Draw(0, 5, {}))
        sim = Sim(sc, agents=8000, seed=5)
        sim.run()
        out[role] = measure(role, sim, sim.n_steps - 1)["metrics"]
    return out


def test_actual_expansions_are_labelled_by_their_flows(shares):
    a = shares["actual"]
    assert a["ussr_soviet"] >= 0.5 and a["ussr_imperialist"] == 0.0
    assert a["west_imperialist"] >= 0.5 and a["west_soviet"] == 0.0


def test_swapping_the_policies_swaps_the_labels(shares):
    s = shares["swapped"]
    assert s["ussr_soviet"] < 0.5 and s["west_imperialist"] < 0.5
    assert s["ussr_imperialist"] > 0.0 or s["west_soviet"] > 0.0
