"""Shared fixtures: the small test world and a finished run of it."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def tiny_path() -> Path:
    return DATA / "tiny.toml"
