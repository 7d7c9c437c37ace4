"""Granovetter's threshold cascades against the figures of the source."""

from __future__ import annotations

import numpy as np
import pytest

from sovsim.validate.granovetter import (
    cascade,
    cascade_continuous,
    cases,
    critical_sd,
    normal_cdf,
)


def test_uniform_thresholds_everyone_acts():
    assert cascade(np.arange(100)) == 100


def test_one_changed_threshold_stops_the_riot():
    thresholds = np.arange(100)
    thresholds[1] = 2
    assert cascade(thresholds) == 1


def test_rows_are_independent_populations():
    rows = np.vstack([np.arange(100), np.r_[0, 2, np.arange(2, 100)], np.full(100, 1)])
    np.testing.assert_array_equal(cascade(rows), [100, 1, 0])
    assert cascade(np.full(10, 3), start=3) == 10  # three instigators tip the rest


def test_normal_thresholds_jump_at_the_critical_spread():
    assert cascade_continuous(normal_cdf(25, 12.2), 100) == pytest.approx(5.48, abs=0.005)
    assert cascade_continuous(normal_cdf(25, 12.3), 100) == pytest.approx(100, abs=1e-6)
    assert critical_sd() == pytest.approx(12.22, abs=0.005)


def test_cases_all_pass():
    checks = cases()
    assert len(checks) == 5
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]
