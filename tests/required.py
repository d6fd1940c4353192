"""Skips that CI turns into failures: a test whose resource is missing on a developer's
machine is skipped with the reason; where CI sets the resource's INFOSHARE_TEST_REQUIRE_*
variable (.ci/run), the same test fails instead, so nothing is skipped silently there."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(reason: str, *, required_by: str) -> NoReturn:
    """Skip the calling test because of `reason`, or fail it if `required_by`=1."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{reason} ({required_by}=1 requires it)")
    pytest.skip(reason)
