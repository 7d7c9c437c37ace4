"""Mobilisation and repression: closed forms, the kernels' bookkeeping, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sovsim.politics.mobilisation import (
    ACTIVE,
    DEAD,
    JAILED,
    QUIET,
    MobilisationParams,
    arrest_probability,
    mobilise_spatial,
    mobilise_well_mixed,
    vision_offsets,
    vision_size,
)
from sovsim.politics.mobilisation import spatial as mob
from sovsim.validate.epstein import run_epstein


def _people(n: int, rng: np.random.Generator, *, legitimacy: float = 0.8,
            right_share: float = 0.0) -> dict[str, np.ndarray]:
    tendency = np.where(rng.random(n) < right_share, -0.5, 0.5).astype(np.float32)
    return {
        "status": np.zeros(n, np.uint8),
        "hardship": rng.random(n).astype(np.float32),
        "legitimacy": np.full(n, legitimacy, np.float32),
        "risk_aversion": rng.random(n).astype(np.float32),
        "tendency": tendency,
        "jail": np.zeros(n, np.uint16),
    }


def _grid(width: int, height: int, n: int, m: int, rng: np.random.Generator):
    cells = rng.permutation(width * height)[: n + m].astype(np.int32)
    return cells[:n].copy(), cells[n:].copy()


def _spatial(p, position, cops, width, height, rng, params=None, steps=1):
    return mobilise_spatial(p["status"], p["hardship"], p["legitimacy"], p["risk_aversion"],
                            p["tendency"], p["jail"], position, cops, width, height, rng,
                            params or MobilisationParams(), steps=steps)


def _torus_distance(a: np.ndarray, b: np.ndarray, width: int, height: int) -> np.ndarray:
    dx = np.abs(a % width - b % width)
    dy = np.abs(a // width - b // width)
    return np.minimum(dx, width - dx) + np.minimum(dy, height - dy)


# --- closed forms ------------------------------------------------------------------------------

def test_status_codes_are_the_engine_contract():
    assert (QUIET, ACTIVE, JAILED, DEAD) == (0, 1, 2, 3)


def test_arrest_probability_one_cop_one_active():
    assert arrest_probability(1, 1)[()] == pytest.approx(0.8997411562771962, abs=1e-15)
    assert arrest_probability(0, 5)[()] == 0.0


def test_round_is_pythons_half_to_even_as_in_mesa():
    cops, actives = np.meshgrid(np.arange(40), np.arange(1, 40), indexing="ij")
    got = arrest_probability(cops, actives, rounding="round")
    expected = np.vectorize(lambda c, a: 1 - math.exp(-2.3 * round(c / a)))(cops, actives)
    np.testing.assert_array_equal(got, expected)
    # 1/2 rounds to 0 (no risk), 3/2 and 5/2 to 2.
    assert arrest_probability([1, 3, 5], [2, 2, 2]).tolist() == [
        0.0, 1 - math.exp(-4.6), 1 - math.exp(-4.6)]


def test_floor_and_continuous_rounding():
    assert arrest_probability(3, 2, rounding="floor")[()] == 1 - math.exp(-2.3)
    assert arrest_probability(3, 2, rounding="continuous")[()] == pytest.approx(
        1 - math.exp(-2.3 * 1.5), abs=1e-15)
    with pytest.raises(ValueError):
        arrest_probability(1, 0)


def test_vision_sizes():
    assert vision_size(7, "von_neumann") == 112
    assert vision_size(7, "moore") == 224
    assert vision_offsets(7, "von_neumann", 40, 40)[0].size == 112
    assert vision_offsets(7, "moore", 40, 40)[0].size == 224
    # A torus smaller than the vision: each other cell seen once, never the agent's own.
    assert vision_offsets(7, "von_neumann", 5, 5)[0].size == 24
    assert vision_offsets(1, "moore", 3, 3)[0].size == 8
    assert vision_offsets(1, "von_neumann", 1, 1)[0].size == 0


@pytest.mark.parametrize("width,height", [(40, 40), (15, 15), (16, 9), (5, 5), (3, 4), (2, 1)])
@pytest.mark.parametrize("neighbourhood", ["von_neumann", "moore"])
def test_padded_grid_counts_match_brute_force(width, height, neighbourhood):
    # The kernel's halo grid and its runs of cells must count exactly what a plain torus scan
    # counts, including on grids narrower than the vision.
    rng = np.random.default_rng(width * 100 + height)
    _, _, flat, run_start, run_len, pad_x, pad_y = mob._vision_layout(
        7, neighbourhood, width, height)
    codes = mob._codes(flat.size)
    grid = np.zeros((height + 2 * pad_y) * (width + 2 * pad_x), codes.dtype)
    kinds = rng.integers(0, 5, width * height)
    for cell, kind in enumerate(kinds):
        mob._put(grid, cell, codes[kind], width, height, pad_x, pad_y)
    ox, oy = vision_offsets(7, neighbourhood, width, height)
    for cell in range(width * height):
        x, y = cell % width, cell // width
        seen = ((y + oy) % height) * width + (x + ox) % width
        base = (y + pad_y) * (width + 2 * pad_x) + x + pad_x
        total = int(mob._sum_vision(grid, base, run_start, run_len, codes[0]))
        bits = int(codes[5])
        fields = [(total >> (bits * f)) & int(codes[8]) for f in range(4)]
        assert fields == [np.sum(kinds[seen] == kind) for kind in (1, 2, 3, 4)]


# --- decisions -------------------------------------------------------------------------------

def test_no_cop_active_iff_grievance_above_threshold():
    rng = np.random.default_rng(1)
    p = _people(800, rng)
    p["hardship"][np.abs(p["hardship"] - 0.5) < 1e-4] = 0.3
    position, cops = _grid(50, 50, 800, 0, rng)
    _spatial(p, position, cops, 50, 50, rng)
    np.testing.assert_array_equal(p["status"] == ACTIVE, p["hardship"] > 0.5)
    p["status"][:] = QUIET
    mobilise_well_mixed(p["status"], p["hardship"], p["legitimacy"], p["risk_aversion"],
                        p["tendency"], p["jail"], 0, rng)
    np.testing.assert_array_equal(p["status"] == ACTIVE, p["hardship"] > 0.5)


def test_full_legitimacy_nobody_ever_active():
    for mode in ("spatial", "well_mixed"):
        run = run_epstein(legitimacy=1.0, steps=30, seed=3, mode=mode)
        assert run["active"].max() == 0.0
        assert run["jailed"].max() == 0.0


def test_deceptive_behaviour_a_cop_in_vision_quiets_an_aggrieved_citizen():
    # G = 0.2, R = 0.5: alone, G - 0 > T (active); next to a cop, G - 0.5 * 0.8997 < T (quiet).
    params = MobilisationParams(movement=False)
    rng = np.random.default_rng(2)
    for cop_cell, expected in ((21 * 41 + 20, QUIET), (20 * 41 + 28, ACTIVE), (None, ACTIVE)):
        p = {"status": np.array([QUIET], np.uint8), "hardship": np.array([1.0], np.float32),
             "legitimacy": np.array([0.8], np.float32),
             "risk_aversion": np.array([0.5], np.float32),
             "tendency": np.array([1.0], np.float32), "jail": np.zeros(1, np.uint16)}
        cops = np.array([] if cop_cell is None else [cop_cell], np.int32)
        _spatial(p, np.array([20 * 41 + 20], np.int32), cops, 41, 41, rng, params)
        assert p["status"][0] == expected, cop_cell


def test_jail_counts_down_then_the_citizen_decides_again():
    # As in Mesa: a term of 3 is served over 3 turns; at the 4th the citizen decides.
    rng = np.random.default_rng(4)
    p = {"status": np.array([JAILED], np.uint8), "hardship": np.array([1.0], np.float32),
         "legitimacy": np.array([0.0], np.float32), "risk_aversion": np.array([0.0], np.float32),
         "tendency": np.array([1.0], np.float32), "jail": np.array([3], np.uint16)}
    position = np.array([0], np.int32)
    seen = []
    for _ in range(4):
        _spatial(p, position, np.zeros(0, np.int32), 10, 10, rng)
        seen.append((int(p["status"][0]), int(p["jail"][0])))
    assert seen == [(JAILED, 2), (JAILED, 1), (JAILED, 0), (ACTIVE, 0)]


# --- bookkeeping -------------------------------------------------------------------------------

def _check_counts(counts: dict[str, np.ndarray], n: int) -> None:
    total = (counts["quiet"] + counts["active_left"] + counts["active_right"]
             + counts["jailed"] + counts["dead"])
    assert np.all(total == n)
    assert np.all(np.diff(counts["dead"]) == counts["terror_deaths"][1:])


@pytest.mark.parametrize("jail_off_grid", [False, True])
def test_spatial_counts_conserved_and_positions_consistent(jail_off_grid):
    rng = np.random.default_rng(5)
    width = height = 30
    n, m = 500, 60
    p = _people(n, rng, legitimacy=0.5, right_share=0.4)
    position, cops = _grid(width, height, n, m, rng)
    params = MobilisationParams(max_jail=8, terror_rate=0.05, psi_left=1.0, psi_right=3.0,
                                jail_off_grid=jail_off_grid)
    before = position.copy()
    counts = _spatial(p, position, cops, width, height, rng, params)
    # One step: everyone free moved at most its vision, onto a cell of its own.
    moved = (position >= 0) & (before >= 0)
    assert np.all(_torus_distance(position[moved], before[moved], width, height) <= 7)
    counts = _spatial(p, position, cops, width, height, rng, params, steps=40)
    _check_counts(counts, n)
    assert counts["arrests"].sum() > 0 and counts["terror_deaths"].sum() > 0
    assert counts["active_left"].max() > 0 and counts["active_right"].max() > 0
    on_grid = np.concatenate([position[position >= 0], cops])
    assert np.unique(on_grid).size == on_grid.size
    assert np.all(position[p["status"] == DEAD] == -1)
    free = (p["status"] == QUIET) | (p["status"] == ACTIVE)
    assert np.all(position[free] >= 0)
    if jail_off_grid:
        assert np.all(position[(p["status"] == JAILED) & (p["jail"] > 0)] == -1)
    else:
        assert np.all(position[p["status"] == JAILED] >= 0)
    assert p["jail"].max() <= 8


def test_well_mixed_counts_conserved_per_region():
    rng = np.random.default_rng(6)
    n = 6000
    p = _people(n, rng, legitimacy=0.5, right_share=0.3)
    region = rng.integers(0, 3, n)
    counts = mobilise_well_mixed(
        p["status"], p["hardship"], p["legitimacy"], p["risk_aversion"], p["tendency"],
        p["jail"], np.array([50, 200, 0]), rng, MobilisationParams(max_jail=10),
        region=region, steps=30, terror_rate=np.array([0.0, 0.1, 0.0]))
    total = sum(counts[name] for name in ("quiet", "active_left", "active_right", "jailed",
                                          "dead"))
    np.testing.assert_array_equal(total, np.tile(np.bincount(region), (30, 1)))
    assert counts["arrests"][:, 2].sum() == 0  # no enforcers there
    assert counts["terror_deaths"][:, 0].sum() == 0 and counts["terror_deaths"][:, 1].sum() > 0
    assert np.all(p["status"][region == 2] != JAILED)
    assert p["jail"].max() <= 10


@pytest.mark.parametrize("mode", ["spatial", "well_mixed"])
def test_targeting_weight_zero_spares_that_direction(mode):
    rng = np.random.default_rng(7)
    n = 1500
    p = _people(n, rng, legitimacy=0.4, right_share=0.5)
    params = MobilisationParams(psi_left=1.0, psi_right=0.0, max_jail=50)
    if mode == "spatial":
        position, cops = _grid(60, 60, n, 150, rng)
        counts = _spatial(p, position, cops, 60, 60, rng, params, steps=20)
    else:
        counts = mobilise_well_mixed(p["status"], p["hardship"], p["legitimacy"],
                                     p["risk_aversion"], p["tendency"], p["jail"], 150, rng,
                                     params, steps=20)
    assert counts["arrests"].sum() > 0
    jailed = p["status"] == JAILED
    assert np.all(p["tendency"][jailed] >= 0)
    assert counts["active_right"][-1] > 0


@pytest.mark.parametrize("mode", ["spatial", "well_mixed"])
def test_same_seed_same_results_other_seed_differs(mode):
    def once(seed: int) -> tuple[np.ndarray, ...]:
        rng = np.random.default_rng(seed)
        n = 700
        p = _people(n, rng, legitimacy=0.6, right_share=0.3)
        params = MobilisationParams(terror_rate=0.02, psi_right=2.0)
        if mode == "spatial":
            position, cops = _grid(35, 35, n, 80, rng)
            counts = _spatial(p, position, cops, 35, 35, rng, params, steps=25)
            extra = (position, cops)
        else:
            counts = mobilise_well_mixed(p["status"], p["hardship"], p["legitimacy"],
                                         p["risk_aversion"], p["tendency"], p["jail"], 80,
                                         rng, params, steps=25)
            extra = ()
        return (*counts.values(), p["status"], p["jail"], *extra)

    a, b, c = once(8), once(8), once(9)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(x, z) for x, z in zip(a, c, strict=True))


def test_run_epstein_series():
    run = run_epstein(steps=20, seed=10)
    for name in ("quiet", "active", "jailed"):
        assert run[name].shape == (21,)
    np.testing.assert_allclose(run["quiet"] + run["active"] + run["jailed"], 1.0)
    assert run["quiet"][0] == 1.0
    n = int(run["citizens"][0])
    assert abs(n / 1600 - 0.7) < 0.05  # Mesa's cell-by-cell filling
    np.testing.assert_array_equal(run_epstein(steps=20, seed=10)["jailed"], run["jailed"])


def test_bad_state_arrays_are_refused():
    rng = np.random.default_rng(11)
    p = _people(3, rng)
    with pytest.raises(TypeError):
        mobilise_spatial(p["status"].astype(np.int64), p["hardship"], 0.8, p["risk_aversion"],
                         p["tendency"], p["jail"], np.arange(3, dtype=np.int32),
                         np.zeros(0, np.int32), 5, 5, rng)
    with pytest.raises(ValueError, match="share a cell"):
        mobilise_spatial(p["status"], p["hardship"], 0.8, p["risk_aversion"], p["tendency"],
                         p["jail"], np.array([1, 1, 2], np.int32), np.zeros(0, np.int32), 5, 5,
                         rng)
    with pytest.raises(ValueError):
        MobilisationParams(rounding="ceil")


def test_newcomers_and_new_enforcers_get_empty_cells():
    rng = np.random.default_rng(12)
    p = _people(50, rng)
    position = np.full(50, -1, np.int32)
    position[:10] = np.arange(10)
    cops = np.full(8, -1, np.int32)
    _spatial(p, position, cops, 10, 10, rng)
    on_grid = np.concatenate([position, cops])
    assert np.all(on_grid >= 0) and np.unique(on_grid).size == 58
    with pytest.raises(ValueError, match="more agents than cells"):
        _spatial(_people(120, rng), np.full(120, -1, np.int32), np.zeros(0, np.int32), 10, 10,
                 rng)
