"""Shared fixtures: the small test world and a finished run of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def tiny_path() -> Path:
    return DATA / "tiny.toml"

# The project's shared folder (seed essay, data with provenance): beside the clone, or where
# SOVSIM_SHARED points. Tests that compare with it skip, saying why, when it is absent.
SHARED = Path(os.environ.get("SOVSIM_SHARED",
                             Path(__file__).resolve().parents[1].parent / "shared"))


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Skip a test unless the shared folder holds this file."""
    path = SHARED.joinpath(*parts)
    return pytest.mark.skipif(not path.exists(), reason=f"shared file absent: {path} (set "
                                                          "SOVSIM_SHARED to the shared folder)")
