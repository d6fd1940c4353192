"""The one data converter every client, worker and replayer uses."""

from __future__ import annotations

import dataclasses

from temporalio.contrib.pydantic import PydanticPayloadConverter, pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from infoshare.codec.encryption import AlteredPayloadConverter, EncryptionCodec
from infoshare.codec.keys import KeyRing, load_keyring
from infoshare.settings import Settings, get_settings


class PayloadConverter(PydanticPayloadConverter):
    """Pydantic JSON, and a clear refusal of a payload that did not decrypt."""

    def __init__(self) -> None:
        super().__init__()
        self._set_converters(*self.converters.values(), AlteredPayloadConverter())


def data_converter(keyring: KeyRing) -> DataConverter:
    """Pydantic JSON, then AES-256-GCM. Failure messages and stack traces are moved into
    an encoded (so encrypted) payload too: a refusal may quote what was sent."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=PayloadConverter,
        payload_codec=EncryptionCodec(keyring, tolerate_altered=True),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def configured_data_converter(settings: Settings | None = None) -> DataConverter:
    return data_converter(load_keyring(settings or get_settings()))
