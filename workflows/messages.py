"""Every message of CONTRACT.md as an Update (with its validator) and a Signal, one name.

Written out, one block a message, so that a reader and mypy see every handler the
workflow has (`tests/workflows/test_handlers.py` checks they are exactly the messages of
`states.messages.MESSAGES`). Each handler only names its message: what it means is
decided by `states.proposal`, through `SharingProposal._receive` and `_validate`.

A payload defaults to `None`: a message sent with no payload at all is refused like any
bad payload (without a default the handler would raise TypeError and fail every workflow
task after it). `self` is annotated on purpose: the SDK then reads two argument types and
uses them only when two payloads arrive, when the first cannot be decoded as a
`Receiver`, so a message with two payloads is refused ("Failed decoding arguments") or,
as a signal, dropped, before it reaches the workflow. Without it, two payloads would
reach a one-payload handler and fail every workflow task after it
(tests/workflows/test_hostile_messages.py sends them).
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from states.messages import MESSAGES


def about(message: str) -> str:
    """The handler's description in the Temporal UI: what, who, and the clauses."""
    spec = MESSAGES[message]
    roles = " or ".join(r.value for r in spec.roles)
    return f"{spec.description} [{roles}; clauses {', '.join(spec.clauses)}]"


class Receiver:
    """How a message is received and validated: `SharingProposal` supplies both."""

    async def _receive(self, message: str, payload: Any, *, via_update: bool) -> dict[str, Any]:
        raise NotImplementedError

    def _validate(self, message: str, payload: Any) -> None:
        raise NotImplementedError


class MessageHandlers(Receiver):
    """The handlers, one block a message, in the protocol's order."""

    # ----- submit_screening

    @workflow.update(name="submit_screening", description=about("submit_screening"))
    async def update_submit_screening(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("submit_screening", payload, via_update=True)

    @update_submit_screening.validator
    def validate_submit_screening(self: Receiver, payload: Any = None) -> None:
        self._validate("submit_screening", payload)

    @workflow.signal(name="submit_screening", description=about("submit_screening"))
    async def signal_submit_screening(self: Receiver, payload: Any = None) -> None:
        await self._receive("submit_screening", payload, via_update=False)

    # ----- screening_decision

    @workflow.update(name="screening_decision", description=about("screening_decision"))
    async def update_screening_decision(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("screening_decision", payload, via_update=True)

    @update_screening_decision.validator
    def validate_screening_decision(self: Receiver, payload: Any = None) -> None:
        self._validate("screening_decision", payload)

    @workflow.signal(name="screening_decision", description=about("screening_decision"))
    async def signal_screening_decision(self: Receiver, payload: Any = None) -> None:
        await self._receive("screening_decision", payload, via_update=False)

    # ----- submit_dpia

    @workflow.update(name="submit_dpia", description=about("submit_dpia"))
    async def update_submit_dpia(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("submit_dpia", payload, via_update=True)

    @update_submit_dpia.validator
    def validate_submit_dpia(self: Receiver, payload: Any = None) -> None:
        self._validate("submit_dpia", payload)

    @workflow.signal(name="submit_dpia", description=about("submit_dpia"))
    async def signal_submit_dpia(self: Receiver, payload: Any = None) -> None:
        await self._receive("submit_dpia", payload, via_update=False)

    # ----- dpia_decision

    @workflow.update(name="dpia_decision", description=about("dpia_decision"))
    async def update_dpia_decision(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("dpia_decision", payload, via_update=True)

    @update_dpia_decision.validator
    def validate_dpia_decision(self: Receiver, payload: Any = None) -> None:
        self._validate("dpia_decision", payload)

    @workflow.signal(name="dpia_decision", description=about("dpia_decision"))
    async def signal_dpia_decision(self: Receiver, payload: Any = None) -> None:
        await self._receive("dpia_decision", payload, via_update=False)

    # ----- ico_consultation_outcome

    @workflow.update(name="ico_consultation_outcome", description=about("ico_consultation_outcome"))
    async def update_ico_consultation_outcome(
        self: Receiver, payload: Any = None
    ) -> dict[str, Any]:
        return await self._receive("ico_consultation_outcome", payload, via_update=True)

    @update_ico_consultation_outcome.validator
    def validate_ico_consultation_outcome(self: Receiver, payload: Any = None) -> None:
        self._validate("ico_consultation_outcome", payload)

    @workflow.signal(name="ico_consultation_outcome", description=about("ico_consultation_outcome"))
    async def signal_ico_consultation_outcome(self: Receiver, payload: Any = None) -> None:
        await self._receive("ico_consultation_outcome", payload, via_update=False)

    # ----- isa_decision

    @workflow.update(name="isa_decision", description=about("isa_decision"))
    async def update_isa_decision(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("isa_decision", payload, via_update=True)

    @update_isa_decision.validator
    def validate_isa_decision(self: Receiver, payload: Any = None) -> None:
        self._validate("isa_decision", payload)

    @workflow.signal(name="isa_decision", description=about("isa_decision"))
    async def signal_isa_decision(self: Receiver, payload: Any = None) -> None:
        await self._receive("isa_decision", payload, via_update=False)

    # ----- propose_lawful_basis

    @workflow.update(name="propose_lawful_basis", description=about("propose_lawful_basis"))
    async def update_propose_lawful_basis(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("propose_lawful_basis", payload, via_update=True)

    @update_propose_lawful_basis.validator
    def validate_propose_lawful_basis(self: Receiver, payload: Any = None) -> None:
        self._validate("propose_lawful_basis", payload)

    @workflow.signal(name="propose_lawful_basis", description=about("propose_lawful_basis"))
    async def signal_propose_lawful_basis(self: Receiver, payload: Any = None) -> None:
        await self._receive("propose_lawful_basis", payload, via_update=False)

    # ----- special_category_condition

    @workflow.update(
        name="special_category_condition", description=about("special_category_condition")
    )
    async def update_special_category_condition(
        self: Receiver, payload: Any = None
    ) -> dict[str, Any]:
        return await self._receive("special_category_condition", payload, via_update=True)

    @update_special_category_condition.validator
    def validate_special_category_condition(self: Receiver, payload: Any = None) -> None:
        self._validate("special_category_condition", payload)

    @workflow.signal(
        name="special_category_condition", description=about("special_category_condition")
    )
    async def signal_special_category_condition(self: Receiver, payload: Any = None) -> None:
        await self._receive("special_category_condition", payload, via_update=False)

    # ----- advice

    @workflow.update(name="advice", description=about("advice"))
    async def update_advice(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("advice", payload, via_update=True)

    @update_advice.validator
    def validate_advice(self: Receiver, payload: Any = None) -> None:
        self._validate("advice", payload)

    @workflow.signal(name="advice", description=about("advice"))
    async def signal_advice(self: Receiver, payload: Any = None) -> None:
        await self._receive("advice", payload, via_update=False)

    # ----- security_advice

    @workflow.update(name="security_advice", description=about("security_advice"))
    async def update_security_advice(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("security_advice", payload, via_update=True)

    @update_security_advice.validator
    def validate_security_advice(self: Receiver, payload: Any = None) -> None:
        self._validate("security_advice", payload)

    @workflow.signal(name="security_advice", description=about("security_advice"))
    async def signal_security_advice(self: Receiver, payload: Any = None) -> None:
        await self._receive("security_advice", payload, via_update=False)

    # ----- sign

    @workflow.update(name="sign", description=about("sign"))
    async def update_sign(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("sign", payload, via_update=True)

    @update_sign.validator
    def validate_sign(self: Receiver, payload: Any = None) -> None:
        self._validate("sign", payload)

    @workflow.signal(name="sign", description=about("sign"))
    async def signal_sign(self: Receiver, payload: Any = None) -> None:
        await self._receive("sign", payload, via_update=False)

    # ----- submit_review

    @workflow.update(name="submit_review", description=about("submit_review"))
    async def update_submit_review(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("submit_review", payload, via_update=True)

    @update_submit_review.validator
    def validate_submit_review(self: Receiver, payload: Any = None) -> None:
        self._validate("submit_review", payload)

    @workflow.signal(name="submit_review", description=about("submit_review"))
    async def signal_submit_review(self: Receiver, payload: Any = None) -> None:
        await self._receive("submit_review", payload, via_update=False)

    # ----- remediation_complete

    @workflow.update(name="remediation_complete", description=about("remediation_complete"))
    async def update_remediation_complete(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("remediation_complete", payload, via_update=True)

    @update_remediation_complete.validator
    def validate_remediation_complete(self: Receiver, payload: Any = None) -> None:
        self._validate("remediation_complete", payload)

    @workflow.signal(name="remediation_complete", description=about("remediation_complete"))
    async def signal_remediation_complete(self: Receiver, payload: Any = None) -> None:
        await self._receive("remediation_complete", payload, via_update=False)

    # ----- suspend

    @workflow.update(name="suspend", description=about("suspend"))
    async def update_suspend(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("suspend", payload, via_update=True)

    @update_suspend.validator
    def validate_suspend(self: Receiver, payload: Any = None) -> None:
        self._validate("suspend", payload)

    @workflow.signal(name="suspend", description=about("suspend"))
    async def signal_suspend(self: Receiver, payload: Any = None) -> None:
        await self._receive("suspend", payload, via_update=False)

    # ----- resume

    @workflow.update(name="resume", description=about("resume"))
    async def update_resume(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("resume", payload, via_update=True)

    @update_resume.validator
    def validate_resume(self: Receiver, payload: Any = None) -> None:
        self._validate("resume", payload)

    @workflow.signal(name="resume", description=about("resume"))
    async def signal_resume(self: Receiver, payload: Any = None) -> None:
        await self._receive("resume", payload, via_update=False)

    # ----- attach_record

    @workflow.update(name="attach_record", description=about("attach_record"))
    async def update_attach_record(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("attach_record", payload, via_update=True)

    @update_attach_record.validator
    def validate_attach_record(self: Receiver, payload: Any = None) -> None:
        self._validate("attach_record", payload)

    @workflow.signal(name="attach_record", description=about("attach_record"))
    async def signal_attach_record(self: Receiver, payload: Any = None) -> None:
        await self._receive("attach_record", payload, via_update=False)

    # ----- release_records

    @workflow.update(name="release_records", description=about("release_records"))
    async def update_release_records(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("release_records", payload, via_update=True)

    @update_release_records.validator
    def validate_release_records(self: Receiver, payload: Any = None) -> None:
        self._validate("release_records", payload)

    @workflow.signal(name="release_records", description=about("release_records"))
    async def signal_release_records(self: Receiver, payload: Any = None) -> None:
        await self._receive("release_records", payload, via_update=False)

    # ----- withdraw

    @workflow.update(name="withdraw", description=about("withdraw"))
    async def update_withdraw(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("withdraw", payload, via_update=True)

    @update_withdraw.validator
    def validate_withdraw(self: Receiver, payload: Any = None) -> None:
        self._validate("withdraw", payload)

    @workflow.signal(name="withdraw", description=about("withdraw"))
    async def signal_withdraw(self: Receiver, payload: Any = None) -> None:
        await self._receive("withdraw", payload, via_update=False)

    # ----- terminate

    @workflow.update(name="terminate", description=about("terminate"))
    async def update_terminate(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("terminate", payload, via_update=True)

    @update_terminate.validator
    def validate_terminate(self: Receiver, payload: Any = None) -> None:
        self._validate("terminate", payload)

    @workflow.signal(name="terminate", description=about("terminate"))
    async def signal_terminate(self: Receiver, payload: Any = None) -> None:
        await self._receive("terminate", payload, via_update=False)

    # ----- confirm_destruction

    @workflow.update(name="confirm_destruction", description=about("confirm_destruction"))
    async def update_confirm_destruction(self: Receiver, payload: Any = None) -> dict[str, Any]:
        return await self._receive("confirm_destruction", payload, via_update=True)

    @update_confirm_destruction.validator
    def validate_confirm_destruction(self: Receiver, payload: Any = None) -> None:
        self._validate("confirm_destruction", payload)

    @workflow.signal(name="confirm_destruction", description=about("confirm_destruction"))
    async def signal_confirm_destruction(self: Receiver, payload: Any = None) -> None:
        await self._receive("confirm_destruction", payload, via_update=False)
