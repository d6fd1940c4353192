"""The payload codec: AES-256-GCM over each whole serialised payload.

An encrypted payload has encoding ``binary/encrypted`` and the key id in its metadata;
the original payload (metadata and data) is inside, so nothing about it shows. Payloads
without that encoding pass through decoding unchanged: histories written before
encryption still replay.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.converter import EncodingPayloadConverter, PayloadCodec

from infoshare.codec.keys import KeyRing

ENCODING = b"binary/encrypted"
ALTERED_ENCODING = b"binary/altered"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(ValueError):
    """A payload that cannot be decrypted: unknown key id, or altered ciphertext."""


class AlteredPayloadError(DecryptionError):
    """A payload naming a loaded key that does not decrypt with it."""


class EncryptionCodec(PayloadCodec):
    """`tolerate_altered`: a payload that names a loaded key but does not decrypt with it
    (altered, or forged by someone without the key) decodes to a marker payload (encoding
    ``binary/altered``) that `AlteredPayloadConverter` refuses when it is read, instead of
    failing the whole workflow activation: a forged signal is then dropped and a forged
    update rejected, where it would otherwise fail every workflow task after it. A payload
    naming a key that is not loaded still fails: loading the key is the fix."""

    def __init__(self, keyring: KeyRing, *, tolerate_altered: bool = False) -> None:
        self.keyring = keyring
        self.tolerate_altered = tolerate_altered
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode_one(p) for p in payloads]

    def _decode_one(self, payload: Payload) -> Payload:
        try:
            return self.decrypt(payload)
        except AlteredPayloadError:
            if not self.tolerate_altered:
                raise
            key_id = payload.metadata.get(KEY_ID, b"")
            return Payload(metadata={"encoding": ALTERED_ENCODING, KEY_ID: key_id})

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self.keyring.active
        nonce = os.urandom(NONCE_BYTES)
        # The key id is authenticated too: a payload cannot be relabelled to another key.
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=nonce + sealed
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption, or not ours to decrypt
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionError(
                f"payload encrypted with key {key_id!r}, which is not loaded "
                f"(loaded: {', '.join(sorted(self._ciphers))}); keep retired keys in "
                "INFOSHARE_CODEC_KEYS after a rotation"
            )
        data = payload.data
        if len(data) < NONCE_BYTES + TAG_BYTES:
            raise AlteredPayloadError(altered(key_id))
        try:
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], key_id.encode())
            decoded = Payload()
            decoded.ParseFromString(plain)
        except (InvalidTag, DecodeError):
            raise AlteredPayloadError(altered(key_id)) from None
        return decoded


def altered(key_id: str) -> str:
    return (
        f"payload encrypted with key {key_id!r} does not decrypt: it was altered, "
        "or the key with that id is not the one that encrypted it"
    )


class AlteredPayloadConverter(EncodingPayloadConverter):
    """Refuses, when read, a payload the codec could not decrypt (see EncryptionCodec)."""

    @property
    def encoding(self) -> str:
        return ALTERED_ENCODING.decode()

    def to_payload(self, value: Any) -> Payload | None:
        return None  # never writes one

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        raise AlteredPayloadError(
            altered(payload.metadata.get(KEY_ID, b"").decode(errors="replace"))
        )
