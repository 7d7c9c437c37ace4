"""Priors of the behavioural parameters: their shapes, inverse CDFs, Latin hypercube samples, and
the scenario check that refuses a prior leaving its parameter's domain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from sovsim.claims.sampling import sample_lhs
from sovsim.cli import app
from sovsim.world.loading import ScenarioError, load
from sovsim.world.pars import PARS
from sovsim.world.priors import Prior, priors_of

PRIORS = {
    "u": Prior(dist="uniform", low=0.2, high=0.4),
    "n": Prior(dist="normal", mean=0.3, sd=0.1, low=0.25, high=0.5),
    "ln": Prior(dist="lognormal", median=2.0, sigma=0.5, low=0.5, high=8.0),
    "b": Prior(dist="beta", a=2.0, b=5.0, low=1.0, high=3.0),
    "n_free": Prior(dist="normal", mean=0.0, sd=1.0),
}


def test_lhs_puts_one_draw_in_each_stratum() -> None:
    n = 40
    samples = sample_lhs(PRIORS, n, seed=7)
    assert len(samples) == n
    for name, prior in PRIORS.items():
        x = np.array([s[name] for s in samples])
        strata = np.floor(prior.cdf(x) * n).astype(int)
        assert sorted(strata) == list(range(n)), name


def test_lhs_is_seeded() -> None:
    assert sample_lhs(PRIORS, 5, seed=1) == sample_lhs(PRIORS, 5, seed=1)
    assert sample_lhs(PRIORS, 5, seed=1) != sample_lhs(PRIORS, 5, seed=2)
    with pytest.raises(ValueError, match=">= 1"):
        sample_lhs(PRIORS, 0, seed=1)


def test_truncation_and_scaling_are_respected() -> None:
    samples = sample_lhs(PRIORS, 500, seed=3)
    for name in ("u", "n", "ln", "b"):
        lo, hi = PRIORS[name].support()
        x = np.array([s[name] for s in samples])
        assert lo <= x.min() and x.max() <= hi, name
    # the truncated normal keeps its shape inside the bounds: median of N(0.3, 0.1) cut to
    # [0.25, 0.5] lies above the mean, as the lower cut removes more mass
    assert 0.3 < np.median([s["n"] for s in samples]) < 0.35


def test_inverse_cdfs_against_closed_forms_and_independent_references() -> None:
    # the priors' distribution functions are scipy.stats': checked here against closed forms
    # and the standard library's NormalDist, not against scipy itself (truncnorm aside, a
    # separate implementation of the truncation)
    stats = pytest.importorskip("scipy.stats")
    u = np.linspace(0.001, 0.999, 41)
    np.testing.assert_allclose(PRIORS["u"].quantile(u), 0.2 + 0.2 * u, atol=1e-12)
    z = np.array([NormalDist().inv_cdf(float(p)) for p in u])
    np.testing.assert_allclose(PRIORS["n_free"].quantile(u), z, atol=1e-9)
    np.testing.assert_allclose(Prior(dist="lognormal", median=2.0, sigma=0.5).quantile(u),
                               2.0 * np.exp(0.5 * z), rtol=1e-9)
    # Beta(2, 1) has CDF x^2, Beta(1, 2) has CDF 1 - (1 - x)^2, here scaled to [1, 3]
    np.testing.assert_allclose(Prior(dist="beta", a=2.0, b=1.0, low=1.0, high=3.0).quantile(u),
                               1.0 + 2.0 * np.sqrt(u), atol=1e-9)
    np.testing.assert_allclose(Prior(dist="beta", a=1.0, b=2.0).quantile(u),
                               1.0 - np.sqrt(1.0 - u), atol=1e-9)
    # truncation: the truncated normal is scipy's truncnorm; the truncated lognormal's log is a
    # normal truncated to [log 0.5, log 8]
    a, b = (0.25 - 0.3) / 0.1, (0.5 - 0.3) / 0.1
    np.testing.assert_allclose(PRIORS["n"].quantile(u),
                               stats.truncnorm(a, b, loc=0.3, scale=0.1).ppf(u), atol=1e-9)
    lo, hi = (np.log(0.5) - np.log(2.0)) / 0.5, (np.log(8.0) - np.log(2.0)) / 0.5
    np.testing.assert_allclose(np.log(PRIORS["ln"].quantile(u)),
                               stats.truncnorm(lo, hi, loc=np.log(2.0), scale=0.5).ppf(u),
                               atol=1e-9)
    # the CDF inverts the quantile
    for name, prior in PRIORS.items():
        np.testing.assert_allclose(prior.cdf(prior.quantile(u)), u, atol=1e-9, err_msg=name)


@pytest.mark.parametrize(("spec", "message"), [
    ({"dist": "uniform", "low": 0.1}, "needs `low` and `high`"),
    ({"dist": "normal", "mean": 1.0}, "needs `sd`"),
    ({"dist": "normal", "mean": 1.0, "sd": 0.1, "a": 2.0}, "not `a`"),
    ({"dist": "lognormal", "median": -1.0, "sigma": 0.1}, "must be positive"),
    ({"dist": "beta", "a": 1.0, "b": 1.0, "low": 2.0, "high": 1.0}, "must be below"),
    ({"dist": "normal", "mean": 0.0, "sd": 0.01, "low": 5.0, "high": 6.0}, "no probability"),
    ({"dist": "gamma", "a": 1.0}, "dist"),
    ({"dist": "uniform", "low": 0.0, "high": 1.0, "width": 1.0}, "width"),
])
def test_bad_priors_are_refused(spec: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Prior(**spec)


def test_base_priors_lie_in_their_domains(tiny_path: Path) -> None:
    priors = priors_of(load(tiny_path))  # tiny.toml inherits base.toml's priors
    assert len(priors) >= 20
    for name, prior in priors.items():
        lo, hi = prior.support()
        assert PARS[name].low <= lo < hi <= PARS[name].high, name


def _overlay(tmp_path: Path, tiny_path: Path, body: str) -> Path:
    path = tmp_path / "bad_prior.toml"
    path.write_text(f'[scenario]\nname = "bad"\ndescription = "test"\nstart = "1946-01"\n'
                    f'end = "1950-12"\ninherits = "{tiny_path}"\n\n{body}\n')
    return path


def test_prior_outside_the_domain_is_refused(tmp_path: Path, tiny_path: Path) -> None:
    path = _overlay(tmp_path, tiny_path, '[pars]\neta = { value = 0.3, assumed = true, '
                    'reason = "t", prior = { dist = "uniform", low = 0.1, high = 3.0 } }')
    with pytest.raises(ScenarioError) as info:
        load(path)
    text = str(info.value)
    assert str(path) in text and "pars.eta.prior" in text and "[0, 2]" in text
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "pars.eta.prior" in result.output


def test_unbounded_prior_on_a_bounded_parameter_is_refused(tmp_path: Path,
                                                           tiny_path: Path) -> None:
    path = _overlay(tmp_path, tiny_path, '[pars]\neta = { value = 0.3, assumed = true, '
                    'reason = "t", prior = { dist = "normal", mean = 0.3, sd = 0.05 } }')
    with pytest.raises(ScenarioError, match=r"pars\.eta\.prior: its support \[-inf, inf\]"):
        load(path)


def test_value_outside_its_prior_is_refused(tmp_path: Path, tiny_path: Path) -> None:
    path = _overlay(tmp_path, tiny_path, '[pars]\neta = { value = 0.3, assumed = true, '
                    'reason = "t", prior = { dist = "uniform", low = 0.5, high = 1.0 } }')
    with pytest.raises(ScenarioError, match=r"value 0\.3 is outside the prior"):
        load(path)


def test_prior_outside_pars_is_refused(tmp_path: Path, tiny_path: Path) -> None:
    path = _overlay(tmp_path, tiny_path, '[regions.Power.policy]\nexport_share = { value = 0.1, '
                    'assumed = true, reason = "t", prior = { dist = "uniform", low = 0.0, '
                    'high = 0.2 } }')
    with pytest.raises(ScenarioError, match=r"regions\.Power\.policy\.export_share\.prior"):
        load(path)


def test_kept_mass_is_the_truncated_probability() -> None:
    stats = pytest.importorskip("scipy.stats")
    assert PRIORS["u"].kept_mass() == 1.0 and PRIORS["b"].kept_mass() == 1.0
    normal = stats.norm(0.3, 0.1)
    assert PRIORS["n"].kept_mass() == pytest.approx(normal.cdf(0.5) - normal.cdf(0.25), abs=1e-12)
    ln = stats.lognorm(0.5, scale=2.0)
    assert PRIORS["ln"].kept_mass() == pytest.approx(ln.cdf(8.0) - ln.cdf(0.5), abs=1e-12)
    assert PRIORS["n_free"].kept_mass() == 1.0


def test_reading_a_scenario_does_not_import_scipy(tiny_path: Path) -> None:
    # scipy.stats costs seconds to import on a busy machine: only sampling needs it
    code = ("import sys; from sovsim.world.loading import load; load('world1946'); "
            "sys.exit('scipy' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
