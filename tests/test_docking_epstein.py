"""Docking sovsim's Epstein mode with Mesa 3.3.1's EpsteinCivilViolence example.

Runs Mesa (about 10 s a run): the quick set, 4 Mesa runs of 100 steps and 1 of 60, takes about
half a minute on two idle cores; it is part of the normal suite.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sovsim.validate import epstein
from sovsim.validate.epstein import outbursts
from sovsim.validate.statistics import permutation_test


def test_exact_cases_pass():
    checks = epstein.exact_cases()
    assert [c.quantity for c in checks if not c.passed] == []
    assert checks[0].got == pytest.approx(0.8997411562771962, abs=1e-15)


def test_permutation_test_is_calibrated_and_sees_a_shift():
    rng = np.random.default_rng(0)
    # Same distribution: p-values are uniform, so about 5% fall below 0.05.
    p = [permutation_test(rng.exponential(1, 40), rng.exponential(1, 10), rounds=500,
                          seed=i)[1] for i in range(300)]
    assert 0.02 < np.mean(np.array(p) < 0.05) < 0.09
    # A shift of two standard deviations is plain.
    assert permutation_test(rng.normal(0, 1, 40), rng.normal(2, 1, 10))[1] < 0.001
    # The critical difference is near the normal-theory one, 2.58 * sqrt(1/40 + 1/10).
    critical, _ = permutation_test(rng.normal(0, 1, 40), rng.normal(0, 1, 10))
    assert critical == pytest.approx(2.58 * math.sqrt(1 / 40 + 1 / 10), rel=0.25)


def test_permutation_test_is_exact_on_a_small_case():
    # pooled {0, 0, 1, 1} split into two pairs: 6 splits, 2 of them (the observed one and its
    # mirror) give |difference| 1, the others 0: p = 2/6, and every split is enumerated
    critical, p = permutation_test(np.array([0.0, 0.0]), np.array([1.0, 1.0]), alpha=0.5)
    assert p == pytest.approx(2 / 6)
    assert critical == 0.0   # the median of (0, 0, 0, 0, 1, 1)


def test_outbursts_need_a_quiet_stretch():
    calm_then_burst = np.r_[0.0, np.zeros(6), 0.05, 0.03, np.zeros(6), 0.04]
    assert outbursts(calm_then_burst) == 2
    assert outbursts(np.r_[0.0, 0.05, 0.05, 0.0, 0.03]) == 0  # no 5 quiet steps before


def test_docking_with_mesa():
    pytest.importorskip("mesa")
    checks = epstein.cases(quick=True)
    failed = [(c.quantity, c.expected, c.got, c.tolerance, c.note) for c in checks
              if not c.passed]
    assert failed == []
    docked = [c for c in checks if "Mesa defaults" in c.quantity]
    assert len(docked) == 7
    assert any("bursts" in c.quantity for c in checks)
