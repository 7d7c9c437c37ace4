"""Latin hypercube samples of a scenario's behavioural parameters, drawn through their priors
(`sovsim.world.priors.Prior`): the parameter draws of an ensemble."""

from __future__ import annotations

import numpy as np

from sovsim.world.priors import Prior


def sample_lhs(priors: dict[str, Prior], n: int, seed: int) -> list[dict[str, float]]:
    """n Latin hypercube draws of the parameters: in each dimension every one of the n
    equal-probability strata holds exactly one draw; seeded, through each prior's inverse CDF."""
    if n < 1:
        raise ValueError(f"the number of draws must be >= 1, got {n}")
    rng = np.random.default_rng(seed)
    names = sorted(priors)  # fixed order, so that the draws do not depend on the file's order
    columns = {}
    for name in names:
        u = (rng.permutation(n) + rng.random(n)) / n
        columns[name] = priors[name].quantile(u)
    return [{name: float(columns[name][i]) for name in names} for i in range(n)]


