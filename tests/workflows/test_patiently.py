"""`patiently` retries only the time-skipping server's timeout, and counts each retry
under the test line that made the call."""

from __future__ import annotations

from collections import Counter

import pytest
from temporalio.service import RPCError, RPCStatusCode

from tests.workflows import driver
from tests.workflows.driver import patiently

TIMED_OUT = RPCError("Timeout expired", RPCStatusCode.CANCELLED, b"")


@pytest.fixture(autouse=True)
def own_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """These retries are made up: not counted with the real ones in the summary."""
    monkeypatch.setattr(driver, "RETRIES", Counter())


class Flaky:
    def __init__(self, *errors: RPCError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answered"


async def test_a_timeout_is_retried_and_counted_where_it_was_made(
    capsys: pytest.CaptureFixture[str],
) -> None:
    deadline = RPCError("context deadline exceeded", RPCStatusCode.DEADLINE_EXCEEDED, b"")
    call = Flaky(TIMED_OUT, deadline)
    assert await patiently(call) == "answered"
    assert call.calls == 3
    (site,) = driver.RETRIES
    assert site.startswith("test_patiently.py:") and driver.RETRIES[site] == 2
    err = capsys.readouterr().err
    assert f"patiently: retry 1 at {site} after CANCELLED: Timeout expired" in err
    assert "retry 2" in err and "DEADLINE_EXCEEDED" in err


@pytest.mark.parametrize(
    "error",
    [
        RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b""),
        RPCError("cancelled by the caller", RPCStatusCode.CANCELLED, b""),
        RPCError("Timeout while connecting", RPCStatusCode.UNAVAILABLE, b""),
    ],
    ids=["not found", "cancelled", "unavailable"],
)
async def test_any_other_error_is_not_retried(error: RPCError) -> None:
    call = Flaky(error)
    with pytest.raises(RPCError) as raised:
        await patiently(call)
    assert raised.value is error and call.calls == 1


async def test_it_gives_up_after_its_attempts() -> None:
    call = Flaky(*[TIMED_OUT] * 5)
    with pytest.raises(RPCError):
        await patiently(call, attempts=3)
    assert call.calls == 3
