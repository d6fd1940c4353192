"""How a refusal travels back to whoever sent the message (the CLI, the web form, the
Temporal UI's "Send an Update" dialog)."""

from __future__ import annotations

import dataclasses

import temporalio.api.failure.v1
from temporalio.converter import DataConverter, DefaultFailureConverter, PayloadConverter

from workflows.sharing_proposal import REFUSED


class RefusalFailureConverter(DefaultFailureConverter):
    """A refusal is an answer for the sender, not a fault: it goes without the Python
    stack trace, which the Temporal UI would otherwise print under the reason."""

    def to_failure(
        self,
        exception: BaseException,
        payload_converter: PayloadConverter,
        failure: temporalio.api.failure.v1.Failure,
    ) -> None:
        super().to_failure(exception, payload_converter, failure)
        if failure.application_failure_info.type == REFUSED:
            failure.stack_trace = ""


def with_plain_refusals(converter: DataConverter) -> DataConverter:
    """`converter` with refusals sent without their stack trace (for the worker)."""
    return dataclasses.replace(converter, failure_converter_class=RefusalFailureConverter)
