"""The payload codec: AES-256-GCM over each whole serialised payload.

An encrypted payload has encoding ``binary/encrypted`` and the key id in its metadata;
the original payload (metadata and data) is inside, so nothing about it shows. Payloads
without that encoding pass through decoding unchanged: histories written before
encryption still replay.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from codec.keys import KeyRing

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A payload that cannot be decrypted: unknown key id, or altered ciphertext."""


class EncryptionCodec(PayloadCodec):
    def __init__(self, keyring: KeyRing) -> None:
        self.keyring = keyring
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

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
        try:
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], key_id.encode())
        except InvalidTag:
            raise DecryptionError(
                f"payload encrypted with key {key_id!r} does not decrypt: it was altered, "
                "or the key with that id is not the one that encrypted it"
            ) from None
        decoded = Payload()
        decoded.ParseFromString(plain)
        return decoded
