"""Mobilisation and repression: Epstein's (2002) civil violence, extended with a direction.

An agent's grievance is G = H (1 - L). It estimates its arrest probability from the enforcers C_v
and the active agents A_v (itself included) within its vision, P = 1 - exp(-k f(C_v / A_v)), where
f is floor (NetLogo's Rebellion), round (Mesa's example; Python's half-to-even) or the identity
(Epstein's paper). Its net risk is N = R P and it is ACTIVE when G - N > T, QUIET otherwise. The
sign of its tendency gives the direction of its action: left (proletarian: strikes, councils, land
seizures) for tendency >= 0, right (restorationist: resistance to reforms, revolts against
collectivisation) for tendency < 0. An enforcer arrests one random active agent in its vision,
weighting left-active agents by psi_left and right-active ones by psi_right; the jail term is
uniform on 0..J_max. Under terror a jailed agent dies with a set probability each step.

Two modes share these rules:

- `mobilise_spatial`: a torus grid per region. Each step all agents, citizens and enforcers
  together, act once in a fresh random order; each decides on the state its predecessors left.
  This is the schedule of Mesa 3.3.1's EpsteinCivilViolence example (`shuffle_do("step")`), and
  `sovsim.validate.epstein` docks with it. A synchronous update does not dock: it jails markedly
  fewer citizens (see the project's VALIDATION notes), so the kernel is sequential.
- `mobilise_well_mixed`: no grid. The enforcers and actives an agent sees are drawn from its
  region's current densities, in the same sequential random order, so a cascade can run within a
  step exactly as on the grid.

State arrays are the engine's own, modified in place; the kernels are compiled with Numba and seeded
from the caller's `numpy.random.Generator`, so the same generator state gives bit-identical results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numba import njit

# Agent status codes: the engine imports these.
QUIET: Final = np.uint8(0)
ACTIVE: Final = np.uint8(1)
JAILED: Final = np.uint8(2)
DEAD: Final = np.uint8(3)

# Names of the per-step counts returned by the mobilise functions, in column order.
COUNTS: Final = ("quiet", "active_left", "active_right", "jailed", "dead", "arrests",
                 "terror_deaths")

Rounding = Literal["floor", "round", "continuous"]
Neighbourhood = Literal["von_neumann", "moore"]

_ROUNDING_CODE: Final = {"floor": 0, "round": 1, "continuous": 2}

# Well-mixed decision classes, fixed while grievance and risk aversion are: most agents never need
# the local counts, and most others need only an integer comparison, which keeps the well-mixed
# step within the cache at a million agents.
_NEVER: Final = 0  # G <= T: no risk makes G - R P exceed T
_ALWAYS: Final = 1  # G - R > T: active whatever P (R P <= R)
_ASK: Final = 2  # active iff the rounded C/A is below the agent's own bound (floor, round)
_ASK_FLOAT: Final = 3  # active iff G - R P > T evaluated (continuous C/A, or a bound over 255)


@dataclass(frozen=True)
class MobilisationParams:
    """The rules of mobilisation and repression in a region (Epstein 2002, with direction)."""

    k: float = 2.3                          # arrest-probability constant
    threshold: float = 0.1                  # T: G - N must exceed it to go active
    vision: int = 7                         # v: radius of vision, citizens and enforcers alike
    neighbourhood: Neighbourhood = "von_neumann"  # Mesa: von Neumann; NetLogo: a disc
    rounding: Rounding = "round"            # of C/A: Mesa rounds, NetLogo floors, the paper neither
    max_jail: int = 30                      # J_max, steps; terms are uniform on 0..J_max
    psi_left: float = 1.0                   # targeting weight of left-active agents
    psi_right: float = 1.0                  # targeting weight of right-active agents
    terror_rate: float = 0.0                # per-step probability that a jailed agent dies
    movement: bool = True                   # agents move to a random empty cell in vision
    arrest_share: float = 1.0               # chance an enforcer's turn may end in an arrest
    jail_off_grid: bool = False             # True: the arrested leave their cell (Epstein, NetLogo)

    def __post_init__(self) -> None:
        if self.rounding not in _ROUNDING_CODE:
            raise ValueError(f"rounding must be one of {tuple(_ROUNDING_CODE)}")
        if self.neighbourhood not in ("von_neumann", "moore"):
            raise ValueError("neighbourhood must be 'von_neumann' or 'moore'")
        if not 0 <= self.max_jail <= np.iinfo(np.uint16).max:
            raise ValueError("max_jail must fit the uint16 jail counter")
        if self.vision < 1:
            raise ValueError("vision must be at least 1")
        if min(self.psi_left, self.psi_right) < 0:
            raise ValueError("targeting weights must be non-negative")
        if not 0.0 <= self.terror_rate <= 1.0:
            raise ValueError("terror_rate is a probability")
        if not 0.0 <= self.arrest_share <= 1.0:
            raise ValueError("arrest_share is a probability")


# --------------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------------

@njit(cache=True)
def _ratio(cops: int, actives: int, rounding: int) -> float:
    if rounding == 2:
        return cops / actives
    q = cops // actives
    if rounding == 1:
        # Python's round() is half-to-even; decided in integers so no float edge case differs.
        twice_rest = 2 * (cops - q * actives)
        if twice_rest > actives or (twice_rest == actives and q % 2 == 1):
            q += 1
    return float(q)


@njit(cache=True)
def _arrest_probability(cops: int, actives: int, k: float, rounding: int) -> float:
    return 1.0 - np.exp(-k * _ratio(cops, actives, rounding))


@njit(cache=True)
def _arrest_probability_many(cops, actives, k, rounding, out):
    for i in range(out.size):
        out[i] = _arrest_probability(cops[i], actives[i], k, rounding)


def arrest_probability(
    cops: np.ndarray | int, actives: np.ndarray | int, k: float = 2.3,
    rounding: Rounding = "round",
) -> np.ndarray:
    """An agent's estimate of its arrest probability, P = 1 - exp(-k f(C_v / A_v)).

    `actives` is A_v, the agent itself included (so at least 1). This is the function the kernels
    use, exposed for tests and for the documentation.
    """
    c, a = np.broadcast_arrays(np.asarray(cops, np.int64), np.asarray(actives, np.int64))
    if np.any(a < 1):
        raise ValueError("A_v counts the agent itself, so it is at least 1")
    out = np.empty(c.shape, np.float64)
    _arrest_probability_many(np.ascontiguousarray(c).ravel(), np.ascontiguousarray(a).ravel(),
                             float(k), _ROUNDING_CODE[rounding], out.reshape(-1))
    return out


def grievance(hardship: np.ndarray, legitimacy: np.ndarray | float) -> np.ndarray:
    """An agent's grievance against the authority, G = H (1 - L)."""
    return np.asarray(hardship, np.float64) * (1.0 - np.asarray(legitimacy, np.float64))


def vision_offsets(
    vision: int, neighbourhood: Neighbourhood, width: int, height: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The cells an agent sees on a width x height torus, as offsets (dx, dy) in [0, w) x [0, h).

    Von Neumann: |dx| + |dy| <= v; Moore: max(|dx|, |dy|) <= v; the agent's own cell excluded.
    On a torus smaller than the vision, offsets that land on the same cell are kept once, which is
    what Mesa's breadth-first neighbourhood gives.
    """
    d = np.arange(-vision, vision + 1)
    dx, dy = np.meshgrid(d, d, indexing="ij")
    if neighbourhood == "von_neumann":
        seen = np.abs(dx) + np.abs(dy) <= vision
    elif neighbourhood == "moore":
        seen = np.ones_like(dx, dtype=bool)
    else:
        raise ValueError("neighbourhood must be 'von_neumann' or 'moore'")
    ox = np.mod(dx[seen], width)
    oy = np.mod(dy[seen], height)
    cell = np.unique(oy * width + ox)
    cell = cell[cell != 0]
    return (cell % width).astype(np.int64), (cell // width).astype(np.int64)


def vision_size(vision: int, neighbourhood: Neighbourhood) -> int:
    """How many cells an agent sees on an unbounded grid (von Neumann 2v(v+1), Moore (2v+1)^2-1)."""
    if neighbourhood == "von_neumann":
        return 2 * vision * (vision + 1)
    if neighbourhood == "moore":
        return (2 * vision + 1) ** 2 - 1
    raise ValueError("neighbourhood must be 'von_neumann' or 'moore'")


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


# --------------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------------

# Random numbers: xoshiro256** (Blackman & Vigna 2018), state seeded from the caller's Generator.
# Numba's own np.random calls cost several times more inside these loops and were half the
# well-mixed step; the stream is private to the call, so results depend on the Generator alone.
_U64_53: Final = 1.0 / 9007199254740992.0


@njit(cache=True)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def _next(state):
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = _rotl(s3, 45)
    return result


@njit(cache=True)
def _uniform(state):
    return np.float64(_next(state) >> np.uint64(11)) * _U64_53


@njit(cache=True)
def _below(state, n):
    # Uniform on 0..n-1; the bias of scaling a 53-bit uniform is below n / 2**53.
    return np.int64(_uniform(state) * n)


@njit(cache=True)
def _shuffle(order: np.ndarray, state: np.ndarray) -> None:
    for i in range(order.size - 1, 0, -1):
        j = _below(state, i + 1)
        order[i], order[j] = order[j], order[i]


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


@njit(cache=True)
def _tally(word, row):
    for i in range(word.size):
        w = word[i]
        row[_status_column(w & 3, (w >> 4) & 1)] += 1


@njit(cache=True)
def _words(status, hardship, legitimacy, risk, tendency, region, k, threshold, rounding, grv,
           word):
    # One word per agent holds all a turn needs, so that a turn is one memory read: bits 0-1
    # status, 2-3 decision class, 4 direction (1 = right), 8-15 the bound on the rounded C/A
    # below which it goes active (class _ASK), 16-31 its region (0 if `region` is empty).
    p_of = np.empty(256)  # P at each integer C/A, as the spatial kernel computes it
    for q in range(256):
        p_of[q] = _arrest_probability(q, 1, k, 0)
    for i in range(status.size):
        g = np.float64(hardship[i]) * (1.0 - np.float64(legitimacy[i]))
        rho = np.float64(risk[i])
        bound = 0
        if g <= threshold:
            klass = _NEVER
        elif g - rho > threshold:
            klass = _ALWAYS
        elif rounding == 2:
            klass = _ASK_FLOAT
        else:
            bound = _bound(g, rho, p_of, threshold)
            klass = _ASK if bound > 0 else _ASK_FLOAT
        if klass == _ASK_FLOAT:
            grv[i] = g  # read only by this class
        home = region[i] if region.size else 0
        word[i] = (status[i] | (klass << 2) | ((1 if tendency[i] < 0 else 0) << 4)
                   | (bound << 8) | (home << 16))


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
def _bound(g, rho, p_of, threshold):
    # The least integer C/A ratio q at which the agent stays quiet, 0 if above 255, from the
    # tabulated P(q), so the decision is the spatial kernel's to the last bit. Usually q = 1.
    for q in range(1, 256):
        if not g - rho * p_of[q] > threshold:
            return q
    return 0


@njit(cache=True)
def _bucket(w):
    return 2 * (w >> 16) + ((w >> 4) & 1)


@njit(cache=True)
def _binomial(n, p, u):
    # Binomial(n, p) by inversion of the uniform u: exact, and for the small n p of a vision
    # several times cheaper than numpy's sampler, which dominated the well-mixed step.
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - _binomial(n, 1.0 - p, 1.0 - u)
    return _binomial_small(n, np.log1p(-p), p / (1.0 - p), u)


@njit(cache=True)
def _binomial_small(n, log_q, odds, u):
    # Inversion for p <= 1/2 given log(1 - p) and p / (1 - p), which a caller can keep.
    if n <= 0 or odds <= 0.0:
        return 0
    pmf = np.exp(n * log_q)
    cum = pmf
    j = 0
    while u > cum and j < n:
        pmf *= (n - j) / (j + 1) * odds
        j += 1
        cum += pmf
    return j


@njit(cache=True)
def _binomial_cdf(n, p, out):
    # out[j] = P(X <= j) for j < out.size, X ~ Binomial(n, p), from log-space terms.
    cum = 0.0
    for j in range(out.size):
        if j <= n and 0.0 < p < 1.0:
            cum += np.exp(math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1)
                          + j * np.log(p) + (n - j) * np.log1p(-p))
        elif j <= n and ((p <= 0.0 and j == 0) or (p >= 1.0 and j == n)):
            cum = 1.0
        out[j] = min(cum, 1.0)
    out[min(n, out.size - 1):] = 1.0


@njit(cache=True)
def _guide(cdf, guide):
    # guide[i] = the least j with cdf[j] >= i / size (Chen's indexed search).
    j = 0
    size = guide.size
    for i in range(size):
        while j < cdf.size - 1 and cdf[j] < i / size:
            j += 1
        guide[i] = j


@njit(cache=True)
def _draw_from_cdf(cdf, guide, u):
    # The least j with u <= cdf[j], starting from the guide entry below u.
    j = guide[min(np.int64(u * guide.size), guide.size - 1)]
    while u > cdf[j] and j < cdf.size - 1:
        j += 1
    return j


@njit(cache=True)
def _status_column(s, right):
    if s == QUIET:
        return 0
    if s == ACTIVE:
        return 2 if right else 1
    if s == JAILED:
        return 3
    return 4


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


# --------------------------------------------------------------------------------------------
# Public steps
# --------------------------------------------------------------------------------------------

def _require(name: str, array: np.ndarray, dtype: type) -> None:
    # In-place state must be the caller's own array: a silent conversion would update a copy.
    if not isinstance(array, np.ndarray) or array.dtype != dtype:
        raise TypeError(f"{name} must be a numpy array of dtype {np.dtype(dtype).name}")


def _seed(rng: np.random.Generator) -> np.ndarray:
    state = rng.integers(0, 2**64, size=4, dtype=np.uint64)
    if not state.any():  # the one state xoshiro cannot leave
        state[0] = 1
    return state


def _f32(array: np.ndarray | float, n: int) -> np.ndarray:
    # One array type per argument, so Numba compiles each kernel once.
    a = np.asarray(array, np.float32)
    if a.ndim == 0:
        return np.full(n, a, np.float32)
    if a.shape != (n,):
        raise ValueError(f"expected one value per agent ({n}), got shape {a.shape}")
    return np.ascontiguousarray(a)


def mobilise_spatial(
    status: np.ndarray, hardship: np.ndarray, legitimacy: np.ndarray | float,
    risk_aversion: np.ndarray, tendency: np.ndarray, jail: np.ndarray, position: np.ndarray,
    cop_position: np.ndarray, width: int, height: int, rng: np.random.Generator,
    params: MobilisationParams = MobilisationParams(),
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


def _per_region(value: np.ndarray | float | None, default: float, n_regions: int,
                dtype: type) -> np.ndarray:
    v = default if value is None else value
    return np.array(np.broadcast_to(np.asarray(v, dtype), (n_regions,)), dtype)


def mobilise_well_mixed(
    status: np.ndarray, hardship: np.ndarray, legitimacy: np.ndarray | float,
    risk_aversion: np.ndarray, tendency: np.ndarray, jail: np.ndarray,
    n_cops: np.ndarray | int, rng: np.random.Generator,
    params: MobilisationParams = MobilisationParams(),
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


# --------------------------------------------------------------------------------------------
# Epstein mode: one region, economics off
# --------------------------------------------------------------------------------------------

def run_epstein(
    width: int = 40, height: int = 40, citizen_density: float = 0.7, cop_density: float = 0.074,
    legitimacy: float = 0.8, max_jail: int = 1000, steps: int = 100,
    seed: int | np.random.SeedSequence | np.random.Generator | None = 0,
    vision: int = 7, rounding: Rounding = "round", *, k: float = 2.3, threshold: float = 0.1,
    neighbourhood: Neighbourhood = "von_neumann", movement: bool = True,
    mode: Literal["spatial", "well_mixed"] = "spatial",
) -> dict[str, np.ndarray]:
    """Epstein's model I alone: one region, H ~ U(0,1) fixed, R ~ U(0,1), every tendency left.

    Defaults are those of Mesa 3.3.1's EpsteinCivilViolence model. The grid is filled cell by cell
    as Mesa does. Returns time series of length steps + 1 (index 0: the initial, all-quiet state;
    index t: after step t, as Mesa's DataCollector rows): the fractions of citizens 'quiet',
    'active', 'jailed', and the counts 'arrests', plus 'citizens' and 'cops' (scalars as arrays).
    """
    rng = np.random.default_rng(seed)
    citizens, cops = populate_grid(width, height, citizen_density, cop_density, rng)
    n = citizens.size
    hardship = rng.random(n).astype(np.float32)
    risk = rng.random(n).astype(np.float32)
    status = np.zeros(n, np.uint8)
    jail = np.zeros(n, np.uint16)
    tendency = np.ones(n, np.float32)
    params = MobilisationParams(k=k, threshold=threshold, vision=vision,
                                neighbourhood=neighbourhood, rounding=rounding,
                                max_jail=max_jail, movement=movement)
    if mode == "spatial":
        counts = mobilise_spatial(status, hardship, legitimacy, risk, tendency, jail, citizens,
                                  cops, width, height, rng, params, steps=steps)
    elif mode == "well_mixed":
        counts = mobilise_well_mixed(status, hardship, legitimacy, risk, tendency, jail,
                                     cops.size, rng, params, sites=width * height, steps=steps)
    else:
        raise ValueError("mode must be 'spatial' or 'well_mixed'")
    total = max(n, 1)

    def series(values: np.ndarray, first: float) -> np.ndarray:
        return np.concatenate(([first], values))

    return {
        "quiet": series(counts["quiet"] / total, 1.0 if n else 0.0),
        "active": series((counts["active_left"] + counts["active_right"]) / total, 0.0),
        "jailed": series(counts["jailed"] / total, 0.0),
        "arrests": series(counts["arrests"].astype(np.float64), 0.0),
        "citizens": np.array([n]),
        "cops": np.array([cops.size]),
    }
