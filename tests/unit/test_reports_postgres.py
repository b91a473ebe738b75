"""The report figures again on PostgreSQL: the same hand-computed day, the same numbers."""

from __future__ import annotations

import pytest
from test_reports import *  # noqa: F403 - the same tests, collected again with this database

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(pg_database):
    return pg_database
