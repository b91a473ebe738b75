"""The queue engine's unit tests again, on PostgreSQL (many halls on one server)."""

from __future__ import annotations

import pytest
from test_queue import *  # noqa: F403 - the same tests, collected again with this database

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(pg_database):
    return pg_database
