"""Mobilisation on a torus grid per region (`mobilise_spatial`).

Each step all agents, citizens and enforcers together, act once in a fresh random order; each
decides on the state its predecessors left. This is the schedule of Mesa 3.3.1's
EpsteinCivilViolence example (`shuffle_do("step")`), and `sovsim.validate.epstein` docks with it.
A synchronous update does not dock: it jails markedly fewer citizens (see the project's VALIDATION
notes), so the kernel is sequential. State arrays are the engine's own, modified in place.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sovsim.politics.mobilisation.random_numbers import _below, _seed, _shuffle, _uniform
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
    Neighbourhood,
    _arrest_probability,
    _f32,
    _ratio,
    _require,
    _tally,
    _words,
    vision_offsets,
)


def populate_grid(
    width: int, height: int, citizen_density: float, cop_density: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A region's grid filled cell by cell as Mesa's example does: citizen, enforcer or empty.

    Returns the cell indices (y * width + x) of the citizens and of the enforcers, int32.
    """
    if citizen_density + cop_density > 1:
        raise ValueError("citizen density + cop density must not exceed 1")
    u = rng.random(width * height)
    cells = np.arange(width * height, dtype=np.int32)
    citizens = cells[u < citizen_density]
    cops = cells[(u >= citizen_density) & (u < citizen_density + cop_density)]
    return citizens, cops


@njit(cache=True)
def _random_empty_cell(occ: np.ndarray, state: np.ndarray) -> int:
    # Rejection first (grids are rarely full), then a scan so a crowded grid still terminates.
    cells = occ.size
    for _ in range(64):
        c = _below(state, cells)
        if occ[c] == -1:
            return c
    start = _below(state, cells)
    for i in range(cells):
        c = (start + i) % cells
        if occ[c] == -1:
            return c
    return -1


# The spatial kernel scans a padded copy of the grid whose halo repeats the opposite edges, so a
# vision is a few contiguous runs of cells with no wrap-around arithmetic. Each cell holds a code
# whose bit fields count empties, enforcers, left- and right-active citizens (a quiet or jailed
# citizen is 0): summing the codes over a vision counts all four at once. 8-bit fields (uint32
# cells) serve visions of up to 255 cells and keep a 300x300 grid in the L2 cache; larger visions
# get 16-bit fields (uint64 cells). `_codes` lists: inert, empty, cop, left, right, then the
# shifts of the cop, left and right fields and the field mask.
_INERT_AT, _EMPTY_AT, _COP_AT, _LEFT_AT, _RIGHT_AT = 0, 1, 2, 3, 4


def _codes(cells_in_vision: int) -> np.ndarray:
    if cells_in_vision <= 0xFF:
        dtype, bits = np.uint32, 8
    elif cells_in_vision <= 0xFFFF:
        dtype, bits = np.uint64, 16
    else:
        raise ValueError("vision too large for the cell counters")
    return np.array([0, 1, 1 << bits, 1 << 2 * bits, 1 << 3 * bits, bits, 2 * bits, 3 * bits,
                     (1 << bits) - 1], dtype)


def _vision_layout(vision: int, neighbourhood: Neighbourhood, width: int, height: int):
    ox, oy = vision_offsets(vision, neighbourhood, width, height)
    # The shortest signed representative of each offset keeps the halo no wider than the grid.
    dx = np.where(ox > width // 2, ox - width, ox)
    dy = np.where(oy > height // 2, oy - height, oy)
    pad_x = int(np.abs(dx).max(initial=0))
    pad_y = int(np.abs(dy).max(initial=0))
    padded_width = width + 2 * pad_x
    flat = dy * padded_width + dx
    order = np.argsort(flat, kind="stable")
    dx, dy, flat = dx[order], dy[order], flat[order]
    breaks = np.flatnonzero(np.diff(flat) != 1) + 1
    run_start = flat[np.concatenate(([0], breaks))] if flat.size else flat
    run_len = np.diff(np.concatenate(([0], breaks, [flat.size]))) if flat.size else flat
    return (dx.astype(np.int64), dy.astype(np.int64), flat.astype(np.int64),
            run_start.astype(np.int64), run_len.astype(np.int64), pad_x, pad_y)


@njit(cache=True)
def _put(grid, cell, code, width, height, pad_x, pad_y):
    # Writes a cell and its halo copies; writes are rare next to the reads of the scans.
    x = cell % width
    y = cell // width
    padded_width = width + 2 * pad_x
    if pad_x <= x < width - pad_x and pad_y <= y < height - pad_y:
        grid[(y + pad_y) * padded_width + x + pad_x] = code  # no halo copy
        return
    padded_height = height + 2 * pad_y
    for a in range(-1, 2):
        xx = x + pad_x + a * width
        if xx < 0 or xx >= padded_width:
            continue
        for b in range(-1, 2):
            yy = y + pad_y + b * height
            if 0 <= yy < padded_height:
                grid[yy * padded_width + xx] = code


@njit(cache=True)
def _citizen_code(w, codes):
    if w & 3 == ACTIVE:
        return codes[_RIGHT_AT] if (w >> 4) & 1 else codes[_LEFT_AT]
    return codes[_INERT_AT]


@njit(cache=True)
def _sum_vision(grid, base, run_start, run_len, zero):
    total = zero
    for r in range(run_start.size):
        c0 = base + run_start[r]
        for c in range(c0, c0 + run_len[r]):
            total += grid[c]
    return total


@njit(cache=True)
def _empty_in_vision(grid, base, flat, x, y, dx, dy, width, height, empty, state):
    # Uniform over the empty cells in vision by rejection: the caller knows there is one.
    while True:
        o = _below(state, flat.size)
        if grid[base + flat[o]] == empty:
            return _cell_at(o, x, y, dx, dy, width, height)


@njit(cache=True)
def _nth_in_vision(grid, base, flat, x, y, dx, dy, width, height, code, nth):
    seen = 0
    for o in range(flat.size):
        if grid[base + flat[o]] == code:
            if seen == nth:
                return _cell_at(o, x, y, dx, dy, width, height)
            seen += 1
    return -1


@njit(cache=True)
def _empty_in_vision_any(grid, base, flat, x, y, dx, dy, width, height, empty, state):
    # As _empty_in_vision for an agent that has not counted its vision: a bounded rejection,
    # then a scan. Both stages are uniform over the empty cells, so their mixture is too.
    for _ in range(64):
        o = _below(state, flat.size)
        if grid[base + flat[o]] == empty:
            return _cell_at(o, x, y, dx, dy, width, height)
    free = 0
    for o in range(flat.size):
        if grid[base + flat[o]] == empty:
            free += 1
    if free == 0:
        return -1
    return _nth_in_vision(grid, base, flat, x, y, dx, dy, width, height, empty,
                          _below(state, free))


@njit(cache=True)
def _cell_at(o, x, y, dx, dy, width, height):
    cx = x + dx[o]
    if cx < 0:
        cx += width
    elif cx >= width:
        cx -= width
    cy = y + dy[o]
    if cy < 0:
        cy += height
    elif cy >= height:
        cy -= height
    return cy * width + cx


@njit(cache=True, nogil=True)
def _spatial_kernel(status, hardship, legitimacy, risk, tendency, jail, position,
                    cop_position, width, height, dx, dy, flat, run_start, run_len, pad_x,
                    pad_y, grid, codes, k, threshold, rounding, max_jail, psi_left, psi_right,
                    terror_rate, movement, jail_off_grid, arrest_share, seed, counts):
    state = seed.copy()
    n = status.size
    m = cop_position.size
    cells = width * height
    steps = counts.shape[0]
    padded_width = width + 2 * pad_x

    occ = np.full(cells, -1, np.int32)  # agent id: citizens 0..n-1, enforcers n..n+m-1
    inert = codes[_INERT_AT]
    empty = codes[_EMPTY_AT]
    cop = codes[_COP_AT]
    left_code = codes[_LEFT_AT]
    right_code = codes[_RIGHT_AT]
    cop_shift = codes[5]
    left_shift = codes[6]
    right_shift = codes[7]
    field = codes[8]
    grid[:] = empty
    # The well-mixed kernel's per-agent words: status, decision class, direction, bound. An agent
    # that can never rebel, or always will, moves without counting its vision.
    grv = np.empty(n)
    word = np.empty(n, np.uint32)
    _words(status, hardship, legitimacy, risk, tendency, np.zeros(0, np.int64), k, threshold,
           rounding, grv, word)

    for j in range(m):
        p = cop_position[j]
        if p == -1:
            continue
        if p < 0 or p >= cells:
            return 2
        if occ[p] != -1:
            return 1
        occ[p] = n + j
        _put(grid, p, cop, width, height, pad_x, pad_y)
    for i in range(n):
        if status[i] == DEAD:
            position[i] = -1
            continue
        p = position[i]
        if p == -1:
            continue
        if p < 0 or p >= cells:
            return 2
        if occ[p] != -1:
            return 1
        occ[p] = i
        _put(grid, p, _citizen_code(word[i], codes), width, height, pad_x, pad_y)
    # Free citizens and enforcers without a cell (newcomers) get a random empty one.
    for i in range(n):
        if position[i] == -1 and (status[i] == QUIET or status[i] == ACTIVE):
            p = _random_empty_cell(occ, state)
            if p < 0:
                return 3
            occ[p] = i
            position[i] = p
            _put(grid, p, _citizen_code(word[i], codes), width, height, pad_x, pad_y)
    for j in range(m):
        if cop_position[j] == -1:
            p = _random_empty_cell(occ, state)
            if p < 0:
                return 3
            occ[p] = n + j
            cop_position[j] = p
            _put(grid, p, cop, width, height, pad_x, pad_y)

    order = np.arange(n + m, dtype=np.int32)
    for t in range(steps):
        _shuffle(order, state)
        arrests = 0
        deaths = 0
        for a in order:
            if a < n:
                w = word[a]
                s = w & 3
                if s == DEAD:
                    continue
                if s == JAILED:
                    if terror_rate > 0.0 and _uniform(state) < terror_rate:
                        word[a] = (w & ~3) | DEAD
                        jail[a] = 0
                        deaths += 1
                        p = position[a]
                        if p >= 0:
                            occ[p] = -1
                            _put(grid, p, empty, width, height, pad_x, pad_y)
                            position[a] = -1
                        continue
                    if jail[a] > 0:
                        jail[a] -= 1
                        continue
                    if position[a] < 0:
                        p = _random_empty_cell(occ, state)
                        if p < 0:
                            continue  # no room to come back to: stays jailed this step
                        occ[p] = a
                        position[a] = p
                        _put(grid, p, inert, width, height, pad_x, pad_y)
                p = position[a]
                x = p % width
                y = p // width
                base = (y + pad_y) * padded_width + x + pad_x
                c = (w >> 2) & 3
                counted = c >= _ASK
                empties = 0
                if c == _NEVER:
                    go = False
                elif c == _ALWAYS:
                    go = True
                else:
                    seen = _sum_vision(grid, base, run_start, run_len, inert)
                    empties = np.int64(seen & field)
                    cops = np.int64((seen >> cop_shift) & field)
                    actives = 1 + np.int64((seen >> left_shift) & field) \
                        + np.int64(seen >> right_shift)
                    if c == _ASK:
                        go = _ratio(cops, actives, rounding) < ((w >> 8) & 255)
                    else:
                        prob = _arrest_probability(cops, actives, k, rounding)
                        go = grv[a] - np.float64(risk[a]) * prob > threshold
                if go:
                    word[a] = (w & ~3) | ACTIVE
                    code = right_code if (w >> 4) & 1 else left_code
                else:
                    word[a] = w & ~3
                    code = inert
                q = -1
                if movement:
                    if not counted:
                        q = _empty_in_vision_any(grid, base, flat, x, y, dx, dy, width, height,
                                                 empty, state)
                    elif empties > 0:
                        q = _empty_in_vision(grid, base, flat, x, y, dx, dy, width, height,
                                             empty, state)
                if q >= 0:
                    occ[q] = a
                    occ[p] = -1
                    position[a] = q
                    _put(grid, p, empty, width, height, pad_x, pad_y)
                    _put(grid, q, code, width, height, pad_x, pad_y)
                elif grid[base] != code:
                    _put(grid, p, code, width, height, pad_x, pad_y)
            else:
                j = a - n
                p = cop_position[j]
                x = p % width
                y = p // width
                base = (y + pad_y) * padded_width + x + pad_x
                seen = _sum_vision(grid, base, run_start, run_len, inert)
                empties = np.int64(seen & field)
                nl = np.int64((seen >> left_shift) & field)
                nr = np.int64(seen >> right_shift)
                wl = psi_left * nl
                wr = psi_right * nr
                # an enforcer deters by being there; it arrests only on a share of its turns
                # (1 in Epstein's model; the uniform is drawn only below 1, so docking is intact)
                if wl + wr > 0.0 and (arrest_share >= 1.0 or _uniform(state) < arrest_share):
                    if psi_left == psi_right:
                        pick = _below(state, nl + nr)
                        if pick < nl:
                            c = _nth_in_vision(grid, base, flat, x, y, dx, dy, width, height,
                                               left_code, pick)
                        else:
                            c = _nth_in_vision(grid, base, flat, x, y, dx, dy, width, height,
                                               right_code, pick - nl)
                    elif _uniform(state) * (wl + wr) < wl:
                        c = _nth_in_vision(grid, base, flat, x, y, dx, dy, width, height,
                                           left_code, _below(state, nl))
                    else:
                        c = _nth_in_vision(grid, base, flat, x, y, dx, dy, width, height,
                                           right_code, _below(state, nr))
                    who = occ[c]
                    word[who] = (word[who] & ~3) | JAILED
                    jail[who] = _below(state, max_jail + 1)
                    arrests += 1
                    if jail_off_grid:
                        occ[c] = -1
                        position[who] = -1
                        _put(grid, c, empty, width, height, pad_x, pad_y)
                        empties += 1
                    else:
                        _put(grid, c, inert, width, height, pad_x, pad_y)
                if movement and empties > 0:
                    q = _empty_in_vision(grid, base, flat, x, y, dx, dy, width, height,
                                         empty, state)
                    occ[q] = a
                    occ[p] = -1
                    cop_position[j] = q
                    _put(grid, p, empty, width, height, pad_x, pad_y)
                    _put(grid, q, cop, width, height, pad_x, pad_y)
        _tally(word, counts[t])
        counts[t, 5] = arrests
        counts[t, 6] = deaths
    for i in range(n):
        status[i] = word[i] & 3
    return 0


def mobilise_spatial(
    status: np.ndarray, hardship: np.ndarray, legitimacy: np.ndarray | float,
    risk_aversion: np.ndarray, tendency: np.ndarray, jail: np.ndarray, position: np.ndarray,
    cop_position: np.ndarray, width: int, height: int, rng: np.random.Generator,
    params: MobilisationParams = DEFAULT_PARAMS,
    steps: int = 1,
) -> dict[str, np.ndarray]:
    """Mobilisation and repression in one region on its torus grid, for `steps` steps.

    Citizens are the agents of the region (status uint8, jail uint16, position int32 = y*width+x,
    -1 off the grid); enforcers are `cop_position` (int32). Each step every citizen and enforcer,
    in one fresh random order, acts once, as in Mesa 3.3.1's example:
    - a jailed citizen (under terror first risks death) counts its term down and does nothing
      else; at its first turn with no term left it decides again;
    - a free citizen looks at its vision (its own cell excluded), counts enforcers C and active
      citizens A (itself included), goes ACTIVE iff H(1-L) - R P(C, A) > T, then moves to a random
      empty cell in vision;
    - an enforcer arrests one random active citizen in vision (weights psi_left, psi_right;
      term uniform on 0..max_jail), then moves likewise.
    The jailed keep their cell unless `params.jail_off_grid`; a jailed citizen off the grid comes
    back on a random empty cell. Free citizens and enforcers with position -1 are first placed on
    random empty cells; the dead are taken off the grid (position -1).

    status, jail, position and cop_position are updated in place. Returns the counts of `COUNTS`
    after each step, one int64 array of length `steps` per name.
    """
    for name, array, dtype in (("status", status, np.uint8), ("jail", jail, np.uint16),
                               ("position", position, np.int32),
                               ("cop_position", cop_position, np.int32)):
        _require(name, array, dtype)
    n = status.size
    if width < 1 or height < 1:
        raise ValueError("the grid needs at least one cell")
    dx, dy, flat, run_start, run_len, pad_x, pad_y = _vision_layout(
        params.vision, params.neighbourhood, width, height)
    codes = _codes(flat.size)
    grid = np.empty((height + 2 * pad_y) * (width + 2 * pad_x), codes.dtype)
    counts = np.zeros((steps, len(COUNTS)), np.int64)
    code = _spatial_kernel(
        status, _f32(hardship, n), _f32(legitimacy, n), _f32(risk_aversion, n),
        _f32(tendency, n), jail, position, cop_position, int(width), int(height), dx, dy, flat,
        run_start, run_len, pad_x, pad_y, grid, codes, float(params.k), float(params.threshold),
        _ROUNDING_CODE[params.rounding],
        int(params.max_jail), float(params.psi_left), float(params.psi_right),
        float(params.terror_rate), bool(params.movement), bool(params.jail_off_grid),
        float(params.arrest_share), _seed(rng), counts)
    if code == 1:
        raise ValueError("two agents share a cell")
    if code == 2:
        raise ValueError("a position lies outside the grid")
    if code == 3:
        raise ValueError("more agents than cells")
    return {name: counts[:, i] for i, name in enumerate(COUNTS)}
