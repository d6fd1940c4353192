"""A payload that names a loaded key but does not decrypt with it is refused when it is
read, not when the worker decodes the whole activation (which would fail every workflow
task after it); a payload naming a key that is not loaded still fails at once."""

from __future__ import annotations

import base64

import pytest
from temporalio.api.common.v1 import Payload

from infoshare.codec.converter import data_converter
from infoshare.codec.encryption import (
    ALTERED_ENCODING,
    ENCODING,
    KEY_ID,
    AlteredPayloadError,
    DecryptionError,
    EncryptionCodec,
)
from infoshare.codec.keys import new_keyring

RING = new_keyring("k1")


def forged(key_id: bytes = b"k1", data: bytes = b"\x01" * 60) -> Payload:
    return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=data)


@pytest.mark.parametrize("data", [b"", b"short", b"\x01" * 60])
async def test_an_altered_payload_decodes_to_a_marker_the_converter_refuses(data: bytes) -> None:
    converter = data_converter(RING)
    assert converter.payload_codec is not None
    [marker] = await converter.payload_codec.decode([forged(data=data)])
    assert marker.metadata["encoding"] == ALTERED_ENCODING and marker.data == b""
    with pytest.raises(AlteredPayloadError, match="'k1' does not decrypt: it was altered"):
        converter.payload_converter.from_payloads([marker])


async def test_a_real_payload_still_round_trips_through_the_converter() -> None:
    converter = data_converter(RING)
    [payload] = await converter.encode([{"actor": "dpo@phso.example"}])
    assert await converter.decode([payload]) == [{"actor": "dpo@phso.example"}]


async def test_the_strict_codec_and_an_unknown_key_still_fail_at_once() -> None:
    with pytest.raises(AlteredPayloadError):
        await EncryptionCodec(RING).decode([forged()])  # the codec server's: a 422
    tolerant = EncryptionCodec(RING, tolerate_altered=True)
    with pytest.raises(DecryptionError, match="'k9', which is not loaded"):
        await tolerant.decode([forged(b"k9")])


def test_the_codec_server_will_not_encode_a_payload_no_person_types() -> None:
    from fastapi.testclient import TestClient

    from infoshare.codec.server import MAX_ENCODE_PAYLOAD_BYTES, create_app
    from infoshare.settings import Settings

    app = TestClient(create_app(RING, Settings()))
    big = base64.b64encode(b'"' + b"x" * MAX_ENCODE_PAYLOAD_BYTES + b'"').decode()
    plain = base64.b64encode(b"json/plain").decode()
    body = {"payloads": [{"metadata": {"encoding": plain}, "data": big}]}
    response = app.post("/encode", json=body)
    assert response.status_code == 413
    assert response.json()["error"] == (
        f"payload 0 is {MAX_ENCODE_PAYLOAD_BYTES + 2} bytes; the limit is "
        f"{MAX_ENCODE_PAYLOAD_BYTES} (a message payload is at most 64 KiB)"
    )
