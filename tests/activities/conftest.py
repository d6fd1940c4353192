"""Shared database fixtures (see tests/db_fixtures.py)."""

from tests.db_fixtures import *  # noqa: F403
