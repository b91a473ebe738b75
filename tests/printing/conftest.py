"""Printing fixtures: the emupos emulator (see tests/emupos_fixture.py) and the folder where
tests leave the PNGs emupos printed, for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from emupos_fixture import emupos, emupos_server, fresh_emupos  # noqa: F401 - fixtures

OUTPUT = Path(__file__).resolve().parents[1] / "output" / "printing"


@pytest.fixture
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
