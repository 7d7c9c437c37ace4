"""Worker processes of parallel commands: how many threads their agent kernels use.

The random streams themselves are `sovsim.world.streams.Streams`; this module keeps what belongs to
running many simulations side by side.
"""

from __future__ import annotations


def one_thread_per_process() -> None:
    """Initializer of worker processes: when runs go side by side in processes, each runs its
    agent kernels on one thread (several threads per process would only oversubscribe the
    cores). Results do not depend on the thread count."""
    import numba

    numba.set_num_threads(1)
