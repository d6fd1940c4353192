"""How a refusal travels back to whoever sent the message (the CLI, the web form, the
Temporal UI's "Send an Update" dialog)."""

from __future__ import annotations

import dataclasses
import re

import temporalio.api.failure.v1
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadConverter,
)
from temporalio.exceptions import ApplicationError

from workflows.sharing_proposal import REFUSED

# Refusals quote the sender's address; the refusal travels in clear (below), the address not.
_EMAIL = re.compile(r"[^\s@:;,'\"`<>()]+@[^\s@:;,'\"`<>()]+\.[A-Za-z]{2,}")
ACTOR_MASK = "<actor>"


def mask_addresses(text: str) -> str:
    return _EMAIL.sub(ACTOR_MASK, text)


class RefusalFailureConverter(DefaultFailureConverterWithEncodedAttributes):
    """Failures travel encoded, so encrypted (they may quote what was sent), except
    refusals: a refusal is an answer for the sender, who must read it at once wherever
    they sent the message, and the Temporal UI's "Send an Update" dialog shows only a
    failure's plain message. So a refusal goes in clear, with any email address masked
    (the whole text stays in the encrypted timeline) and without a stack trace."""

    _plain = DefaultFailureConverter()

    def to_failure(
        self,
        exception: BaseException,
        payload_converter: PayloadConverter,
        failure: temporalio.api.failure.v1.Failure,
    ) -> None:
        if isinstance(exception, ApplicationError) and exception.type == REFUSED:
            answer = ApplicationError(
                mask_addresses(exception.message), type=REFUSED, non_retryable=True
            )
            self._plain.to_failure(answer, payload_converter, failure)
        else:
            super().to_failure(exception, payload_converter, failure)


def with_plain_refusals(converter: DataConverter) -> DataConverter:
    """`converter` with refusals sent without their stack trace (for the worker)."""
    return dataclasses.replace(converter, failure_converter_class=RefusalFailureConverter)
