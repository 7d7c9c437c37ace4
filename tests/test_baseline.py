"""Fixed-seed baseline: the small cases of sovsim.validate.baseline reproduce their stored tables.

Integer tables and the event log must match exactly, floating-point tables to rtol 1e-12, and the
agents' final arrays must hash the same. A refactoring keeps all of them; a change that is meant to
move results refreshes them with

    PYTHONPATH=src python3 scripts/refresh_baseline.py

and commits the new tests/baseline/*.npz with it (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sovsim.validate.baseline import CASES, snapshot

STORED = Path(__file__).parent / "baseline"


@pytest.mark.parametrize("case", list(CASES))
def test_run_reproduces_its_baseline(case: str) -> None:
    path = STORED / f"{case}.npz"
    assert path.exists(), f"{path} missing: run scripts/refresh_baseline.py"
    with np.load(path) as stored:
        expected = {key: stored[key] for key in stored.files}
    got = snapshot(case)
    assert sorted(got) == sorted(expected)
    for key, want in expected.items():
        have = got[key]
        assert have.shape == want.shape, key
        if want.dtype.kind in "fc":
            np.testing.assert_allclose(have, want, rtol=1e-12, atol=0.0, equal_nan=True,
                                       err_msg=key)
        else:
            np.testing.assert_array_equal(have, want, err_msg=key)
