"""Printing fixtures: a running emupos per test module (a fresh one where a test stops it)."""

from __future__ import annotations

import pytest
from emupos_fixture import Emupos


@pytest.fixture(scope="module")
def emupos(tmp_path_factory):
    emulator = Emupos(tmp_path_factory.mktemp("emupos")).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def fresh_emupos(tmp_path):
    emulator = Emupos(tmp_path / "emupos").start()
    yield emulator
    emulator.stop()
