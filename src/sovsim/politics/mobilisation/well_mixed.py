"""Mobilisation without a grid (`mobilise_well_mixed`).

The enforcers and actives an agent sees are drawn from its region's current densities, in the same
sequential random order as on the grid, so a cascade can run within a step exactly as there.
State arrays are the engine's own, modified in place.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sovsim.politics.mobilisation.random_numbers import (
    _below,
    _binomial,
    _binomial_cdf,
    _binomial_small,
    _draw_from_cdf,
    _guide,
    _seed,
    _shuffle,
    _uniform,
)
from sovsim.politics.mobilisation.rules import (
    _ALWAYS,
    _ASK,
    _NEVER,
    _ROUNDING_CODE,
    ACTIVE,
    COUNTS,
    DEAD,
    DEFAULT_PARAMS,
    JAILED,
    QUIET,
    MobilisationParams,
    _arrest_probability,
    _f32,
    _ratio,
    _require,
    _status_column,
    _words,
    vision_size,
)


@njit(cache=True)
def _well_mixed_kernel(status, hardship, legitimacy, risk, tendency, jail, region,
                       n_regions, cops, sites, psi_left, psi_right, terror_rate, max_jail,
                       seen, k, threshold, rounding, arrest_share, seed, counts):
    state = seed.copy()
    n = status.size
    steps = counts.shape[0]

    grv = np.empty(n)
    word = np.empty(n, np.uint32)
    _words(status, hardship, legitimacy, risk, tendency, region, k, threshold, rounding, grv,
           word)

    # Active agents of each region and direction (bucket 2r + right), kept as a contiguous slice
    # of `members` with swap-removal, so an enforcer draws one in O(1).
    nbk = 2 * n_regions
    start = np.zeros(nbk + 1, np.int64)
    for i in range(n):
        start[_bucket(word[i]) + 1] += 1
    for b in range(nbk):
        start[b + 1] += start[b]
    members = np.empty(n, np.int32)
    slot = np.full(n, -1, np.int32)
    size = np.zeros(nbk, np.int64)
    for i in range(n):
        if status[i] == ACTIVE:
            _add(i, _bucket(word[i]), members, slot, start, size)

    m = 0
    for r in range(n_regions):
        m += cops[r]
    cop_region = np.empty(m, np.int32)
    j = 0
    for r in range(n_regions):
        for _ in range(cops[r]):
            cop_region[j] = r
            j += 1
    cop_share = np.empty(n_regions)
    vis = np.empty(n_regions, np.int64)
    for r in range(n_regions):
        cop_share[r] = min(cops[r] / sites[r], 1.0)
        vis[r] = min(seen, sites[r] - 1)
    # Enforcer densities are fixed within a call: tabulate their binomial CDFs once, with a
    # guide table so that a draw starts next to its answer.
    cop_cdf = np.ones((n_regions, seen + 1))
    cop_guide = np.zeros((n_regions, seen + 1), np.int64)
    for r in range(n_regions):
        _binomial_cdf(vis[r], cop_share[r], cop_cdf[r])
        _guide(cop_cdf[r], cop_guide[r])
    # Densities of the others active, cached per region for the count they were computed at.
    pa_for = np.full(n_regions, -1, np.int64)
    pa = np.zeros(n_regions)
    pa_log = np.zeros(n_regions)
    pa_odds = np.zeros(n_regions)

    order = np.arange(n + m, dtype=np.int32)
    arrests = np.zeros(n_regions, np.int64)
    deaths = np.zeros(n_regions, np.int64)

    for t in range(steps):
        _shuffle(order, state)
        arrests[:] = 0
        deaths[:] = 0
        for a in order:
            if a < n:
                w = word[a]
                if w & 15 == 0:  # quiet, and G <= T: stays quiet
                    continue
                s = w & 3
                if s == DEAD:
                    continue
                r = w >> 16
                if s == JAILED:
                    if terror_rate[r] > 0.0 and _uniform(state) < terror_rate[r]:
                        word[a] = (w & ~3) | DEAD
                        jail[a] = 0
                        deaths[r] += 1
                        continue
                    if jail[a] > 0:
                        jail[a] -= 1
                        continue
                c = (w >> 2) & 3
                if c == _NEVER:
                    go = False
                elif c == _ALWAYS:
                    go = True
                else:
                    # What it sees: its vision's sites hold an enforcer with the region's
                    # enforcer density, an active agent with the density of the others active.
                    nc = _draw_from_cdf(cop_cdf[r], cop_guide[r], _uniform(state))
                    bound = (w >> 8) & 255
                    if c == _ASK and nc < bound:
                        go = True  # even alone (A = 1) the rounded C/A stays below its bound
                    else:
                        others = size[2 * r] + size[2 * r + 1] - (1 if s == ACTIVE else 0)
                        if pa_for[r] != others:
                            rest = 1.0 - cop_share[r]
                            pa[r] = min(others / sites[r] / rest, 1.0) if rest > 0.0 else 0.0
                            pa_log[r] = np.log1p(-pa[r]) if pa[r] < 1.0 else -np.inf
                            pa_odds[r] = pa[r] / (1.0 - pa[r]) if pa[r] < 1.0 else np.inf
                            pa_for[r] = others
                        if pa[r] <= 0.5:
                            na = _binomial_small(vis[r] - nc, pa_log[r], pa_odds[r],
                                                 _uniform(state))
                        else:
                            na = _binomial(vis[r] - nc, pa[r], _uniform(state))
                        if c == _ASK:
                            go = _ratio(nc, 1 + na, rounding) < bound
                        else:
                            prob = _arrest_probability(nc, 1 + na, k, rounding)
                            go = grv[a] - np.float64(risk[a]) * prob > threshold
                if go:
                    if s != ACTIVE:
                        _add(a, _bucket(w), members, slot, start, size)
                        word[a] = (w & ~3) | ACTIVE
                elif s == ACTIVE:
                    _remove(a, _bucket(w), members, slot, start, size)
                    word[a] = w & ~3
                elif s != QUIET:
                    word[a] = w & ~3
            else:
                r = cop_region[a - n]
                nl = size[2 * r]
                nr = size[2 * r + 1]
                if nl + nr == 0:
                    continue
                if arrest_share[r] < 1.0 and _uniform(state) >= arrest_share[r]:
                    continue  # it deters by being there, and arrests on a share of its turns
                al = nl / sites[r]
                ar = nr / sites[r]
                side = -1
                if psi_left[r] == psi_right[r]:
                    # One random active in vision: P(any) from the empty-of-actives
                    # probability; its side by symmetry in proportion to the densities.
                    seen_any = 1.0 - (1.0 - min(al + ar, 1.0)) ** vis[r]
                    if psi_left[r] > 0.0 and _uniform(state) < seen_any:
                        side = 0 if _uniform(state) * (nl + nr) < nl else 1
                else:
                    vl = _binomial(vis[r], min(al, 1.0), _uniform(state))
                    vr = _binomial(vis[r] - vl, min(ar / (1.0 - al), 1.0), _uniform(state)) \
                        if al < 1.0 else 0
                    wl = psi_left[r] * vl
                    wr = psi_right[r] * vr
                    if wl + wr > 0.0:
                        side = 0 if _uniform(state) * (wl + wr) < wl else 1
                if side >= 0:
                    b = 2 * r + side
                    who = members[start[b] + _below(state, size[b])]
                    _remove(who, b, members, slot, start, size)
                    word[who] = (word[who] & ~3) | JAILED
                    jail[who] = _below(state, max_jail[r] + 1)
                    arrests[r] += 1
        for i in range(n):
            w = word[i]
            counts[t, w >> 16, _status_column(w & 3, (w >> 4) & 1)] += 1
        for r in range(n_regions):
            counts[t, r, 5] = arrests[r]
            counts[t, r, 6] = deaths[r]
    for i in range(n):
        status[i] = word[i] & 3
    return 0


@njit(cache=True)
def _bucket(w):
    return 2 * (w >> 16) + ((w >> 4) & 1)


@njit(cache=True)
def _add(a, b, members, slot, start, size):
    members[start[b] + size[b]] = a
    slot[a] = size[b]
    size[b] += 1


@njit(cache=True)
def _remove(a, b, members, slot, start, size):
    last = members[start[b] + size[b] - 1]
    members[start[b] + slot[a]] = last
    slot[last] = slot[a]
    slot[a] = -1
    size[b] -= 1


def _per_region(value: np.ndarray | float | None, default: float, n_regions: int,
                dtype: type) -> np.ndarray:
    v = default if value is None else value
    return np.array(np.broadcast_to(np.asarray(v, dtype), (n_regions,)), dtype)


def mobilise_well_mixed(
    status: np.ndarray, hardship: np.ndarray, legitimacy: np.ndarray | float,
    risk_aversion: np.ndarray, tendency: np.ndarray, jail: np.ndarray,
    n_cops: np.ndarray | int, rng: np.random.Generator,
    params: MobilisationParams = DEFAULT_PARAMS,
    *,
    region: np.ndarray | None = None,
    sites: np.ndarray | int | None = None,
    steps: int = 1,
    psi_left: np.ndarray | float | None = None,
    psi_right: np.ndarray | float | None = None,
    terror_rate: np.ndarray | float | None = None,
    max_jail: np.ndarray | int | None = None,
    arrest_share: np.ndarray | float | None = None,
) -> dict[str, np.ndarray]:
    """Mobilisation and repression without a grid: local counts drawn from the region's densities.

    Each of a region's `sites` (default: its living citizens plus enforcers, a packed grid) holds
    an enforcer with probability n_cops/sites and an active citizen with probability
    actives/sites. A citizen sees `vision_size(params.vision, params.neighbourhood)` sites (112 at
    radius 7, von Neumann), so C and A - 1 are binomial (multinomial jointly) in the densities at
    its turn. An enforcer sees as many and arrests an active citizen in vision, chosen by the
    targeting weights, among the region's actives of that direction. The schedule, jail and terror
    are those of `mobilise_spatial`.

    With `region` (int array, values 0..R-1) all regions are stepped at once; then n_cops, sites,
    psi_left, psi_right, terror_rate and max_jail may be per-region arrays (the last four default
    to `params`) and every returned array has shape (steps, R). Without it, shape (steps,).
    status and jail are updated in place.
    """
    _require("status", status, np.uint8)
    _require("jail", jail, np.uint16)
    n = status.size
    single = region is None
    reg = np.zeros(n, np.int64) if single else np.ascontiguousarray(region, np.int64)
    if reg.shape != (n,):
        raise ValueError("region must give one region index per agent")
    n_regions = 1 if single else max(int(reg.max(initial=-1)) + 1, np.size(n_cops), 1)
    if np.any(reg < 0) or n_regions > 1 << 16:
        raise ValueError("region indices run from 0 to at most 65535")
    cops = _per_region(n_cops, 0, n_regions, np.int64)
    if np.any(cops < 0):
        raise ValueError("n_cops must be non-negative")
    if sites is None:
        alive = np.bincount(reg[status != DEAD], minlength=n_regions)[:n_regions]
        site = np.maximum(alive + cops, 1).astype(np.int64)
    else:
        site = _per_region(sites, 0, n_regions, np.int64)
        if np.any(site < 1):
            raise ValueError("a region needs at least one site")
    jmax = _per_region(max_jail, params.max_jail, n_regions, np.int64)
    if np.any(jmax < 0) or np.any(jmax > np.iinfo(np.uint16).max):
        raise ValueError("max_jail must fit the uint16 jail counter")
    counts = np.zeros((steps, n_regions, len(COUNTS)), np.int64)
    _well_mixed_kernel(
        status, _f32(hardship, n), _f32(legitimacy, n), _f32(risk_aversion, n),
        _f32(tendency, n), jail, reg, n_regions, cops, site,
        _per_region(psi_left, params.psi_left, n_regions, np.float64),
        _per_region(psi_right, params.psi_right, n_regions, np.float64),
        _per_region(terror_rate, params.terror_rate, n_regions, np.float64),
        jmax, vision_size(params.vision, params.neighbourhood), float(params.k),
        float(params.threshold), _ROUNDING_CODE[params.rounding],
        np.clip(_per_region(arrest_share, params.arrest_share, n_regions, np.float64), 0.0, 1.0),
        _seed(rng), counts)
    if single:
        return {name: counts[:, 0, i] for i, name in enumerate(COUNTS)}
    return {name: counts[:, :, i] for i, name in enumerate(COUNTS)}
