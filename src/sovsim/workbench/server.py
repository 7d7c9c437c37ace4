"""Starting the workbench: where it listens, where it writes, and how it stops."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

from sovsim.workbench.runner import RunQueue

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_options(host: str, port: int, runs: Path, workers: int | None,
                  page_timeout: float) -> None:
    """Refuse options that cannot work, with the option's name (ValueError)."""
    if not 1 <= port <= 65535:
        raise ValueError(f"--port {port}: a port from 1 to 65535")
    if workers is not None and workers < 1:
        raise ValueError(f"--workers {workers}: at least 1")
    if page_timeout <= 0:
        raise ValueError(f"--page-timeout {page_timeout}: a positive number of seconds")
    if runs.exists() and not runs.is_dir():
        raise ValueError(f"--runs {runs}: exists and is not a folder")
    if not host.strip():
        raise ValueError("--host: an address to listen on, e.g. 127.0.0.1")


def serve(host: str, port: int, runs: Path, workers: int | None = None,
          page_timeout: float = 90.0, say=print) -> None:
    """Serve the workbench until interrupted; the run workers stop with it."""
    from sovsim.workbench.app import build_app

    check_options(host, port, runs, workers, page_timeout)
    if host not in LOCAL_HOSTS:
        print(f"warning: listening on {host}: anyone who can reach this address can start "
              "runs and read every folder under --runs; the workbench has no login",
              file=sys.stderr)
    runs.mkdir(parents=True, exist_ok=True)
    queue = RunQueue(runs, workers, page_timeout=page_timeout)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _interrupt)    # a terminated server still stops its workers
    try:
        app = build_app(runs, queue)
        say(f"sovsim workbench on http://{host}:{port}/ (runs in {runs.resolve()}, "
            f"{queue.workers} run(s) at once; Ctrl-C stops it)")
        app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        queue.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt

