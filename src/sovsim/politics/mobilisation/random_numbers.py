"""Random numbers of the mobilisation kernels: xoshiro256** (Blackman & Vigna 2018) and the
binomial and tabulated draws built on it.

The kernels' state is seeded from the caller's `numpy.random.Generator`, so the same generator
state gives bit-identical results.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from numba import njit

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


def _seed(rng: np.random.Generator) -> np.ndarray:
    state = rng.integers(0, 2**64, size=4, dtype=np.uint64)
    if not state.any():  # the one state xoshiro cannot leave
        state[0] = 1
    return state
