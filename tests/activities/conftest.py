"""Shared database fixtures (see tests/db_fixtures.py), and the people directory of the
notification tests."""

import pytest

from infoshare.settings import Settings
from tests.activities.outbox import add_directory
from tests.db_fixtures import *  # noqa: F403


@pytest.fixture
def directory(infoshare_env: Settings) -> None:
    """The people the notification tests tell (see tests/activities/outbox.py)."""
    add_directory()
