"""The loss: log errors of simulated against recorded output per head, per region, per bloc and
overall, and the weighted residuals whose sum of squares it is."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from sovsim.calibration.data import Bloc, Series


def region_errors(simulated: Mapping[str, Mapping[int, float]], targets: Series,
                  region: str, years: tuple[int, int]) -> np.ndarray:
    """Log errors ln(model) - ln(data) of one region in the years of the window with a figure
    (and a simulated value)."""
    first, last = years
    sim, data = simulated[region], targets[region]
    return np.array([math.log(sim[y]) - math.log(data[y]) for y in range(first, last + 1)
                     if y in data and y in sim and data[y] > 0 and sim[y] > 0])


def losses(simulated: Mapping[str, Mapping[int, float]], targets: Series,
           blocs: Sequence[Bloc], years: tuple[int, int]) -> dict[str, float]:
    """Mean squared log error per bloc and overall ('all': the mean over the blocs)."""
    out: dict[str, float] = {}
    for bloc in blocs:
        per_region = [float(np.mean(e ** 2)) for r in bloc.regions
                      if (e := region_errors(simulated, targets, r, years)).size]
        out[bloc.name] = float(np.mean(per_region)) if per_region else float("nan")
    out["all"] = float(np.mean([out[b.name] for b in blocs]))
    return out


def residuals(simulated: Mapping[str, Mapping[int, float]], targets: Series,
              blocs: Sequence[Bloc], years: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Weighted log errors whose sum of squares is the overall loss, and the bloc index of each
    (for the Jacobian's sparsity). The layout (which region-years) depends only on the data."""
    values: list[float] = []
    owner: list[int] = []
    for b, bloc in enumerate(blocs):
        live = [r for r in bloc.regions if region_errors(targets, targets, r, years).size]
        for region in live:
            first, last = years
            data = targets[region]
            wanted = [y for y in range(first, last + 1) if y in data and data[y] > 0]
            weight = 1.0 / math.sqrt(len(blocs) * len(live) * len(wanted))
            sim = simulated[region]
            for y in wanted:
                # a region that collapsed to nothing gets a large finite error, not a crash
                x = sim.get(y, float("nan"))
                err = math.log(max(x, 1.0)) - math.log(data[y]) if x == x else 10.0
                values.append(weight * err)
                owner.append(b)
    return np.array(values), np.array(owner, dtype=np.int64)


def row_blocs(targets: Series, blocs: Sequence[Bloc], years: tuple[int, int]) -> np.ndarray:
    """The bloc index of each residual (the layout depends on the data only)."""
    return residuals(targets, targets, blocs, years)[1]


def losses_of(res: np.ndarray, blocs: Sequence[Bloc], targets: Series,
               years: tuple[int, int]) -> dict[str, float]:
    """Per-bloc and overall loss from a weighted residual vector."""
    owner = row_blocs(targets, blocs, years)
    n = len(blocs)
    out = {b.name: float(n * (res[owner == i] @ res[owner == i])) for i, b in enumerate(blocs)}
    out["all"] = float(res @ res)
    return out
