"""The workflow's message handlers, written out in workflows/messages.py, are exactly the
messages of CONTRACT.md: each an Update with its validator and a Signal of the same name."""

from __future__ import annotations

from temporalio.common import _type_hints_from_func
from temporalio.workflow import _Definition

from states.messages import MESSAGES
from workflows.messages import about
from workflows.sharing_proposal import SharingProposal

DEFINITION = _Definition.must_from_class(SharingProposal)


def test_every_message_is_an_update_and_a_signal_and_nothing_else() -> None:
    assert set(DEFINITION.updates) == set(MESSAGES)
    assert set(DEFINITION.signals) == set(MESSAGES)


def test_every_update_is_validated_before_anything_is_written() -> None:
    assert [name for name, update in DEFINITION.updates.items() if update.validator is None] == []


def test_each_handler_names_its_own_message_and_describes_it() -> None:
    for name in MESSAGES:
        update, signal = DEFINITION.updates[name], DEFINITION.signals[name]
        assert update.fn.__name__ == f"update_{name}"
        assert signal.fn.__name__ == f"signal_{name}"
        assert update.description == signal.description == about(name)
        assert ", ".join(MESSAGES[name].clauses) in about(name)


class Recorder:
    """Stands in for the workflow: records which message each handler hands on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object, str]] = []

    async def _receive(self, message: str, payload: object, *, via_update: bool) -> dict[str, str]:
        self.calls.append((message, payload, "update" if via_update else "signal"))
        return {}

    def _validate(self, message: str, payload: object) -> None:
        self.calls.append((message, payload, "validate"))


async def test_each_handler_hands_on_its_own_message_and_payload() -> None:
    for name in MESSAGES:
        recorder = Recorder()
        update = DEFINITION.updates[name]
        assert update.validator is not None
        await update.fn(recorder, {"n": 1})
        update.validator(recorder, {"n": 2})
        signalled = DEFINITION.signals[name].fn(recorder, {"n": 3})
        assert signalled is not None
        await signalled
        await update.fn(recorder)  # no payload at all: refused like any bad payload
        assert recorder.calls == [
            (name, {"n": 1}, "update"),
            (name, {"n": 2}, "validate"),
            (name, {"n": 3}, "signal"),
            (name, None, "update"),
        ]


def test_two_payloads_never_reach_a_handler() -> None:
    """With `self` annotated the SDK reads two argument types, and decodes two payloads
    against them, which fails before the handler runs (the real server's refusal is in
    test_hostile_messages.py); with one type it would hand both to a one-payload handler."""
    for name in MESSAGES:
        for fn in (DEFINITION.updates[name].fn, DEFINITION.signals[name].fn):
            arg_types, _ = _type_hints_from_func(fn)
            assert arg_types is not None and len(arg_types) == 2, fn.__name__
