"""Latin hypercube samples of a scenario's behavioural parameters, drawn through their priors
(`sovsim.world.priors.Prior`): the parameter draws of an ensemble.

The hypercube is scipy.stats.qmc's (`LatinHypercube`, scrambled: each draw lies at a random point
of its stratum), seeded; its columns are the parameters in name order."""

from __future__ import annotations

from scipy.stats import qmc

from sovsim.world.priors import Prior


def sample_lhs(priors: dict[str, Prior], n: int, seed: int) -> list[dict[str, float]]:
    """n Latin hypercube draws of the parameters: in each dimension every one of the n
    equal-probability strata holds exactly one draw; seeded, through each prior's inverse CDF."""
    if n < 1:
        raise ValueError(f"the number of draws must be >= 1, got {n}")
    names = sorted(priors)  # fixed order, so that the draws do not depend on the file's order
    if not names:
        return [{} for _ in range(n)]
    u = qmc.LatinHypercube(d=len(names), rng=seed).random(n)
    columns = {name: priors[name].quantile(u[:, k]) for k, name in enumerate(names)}
    return [{name: float(columns[name][i]) for name in names} for i in range(n)]
