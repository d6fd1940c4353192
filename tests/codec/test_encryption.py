"""The payload codec: AES-256-GCM, key id in the metadata, old payloads pass through."""

from __future__ import annotations

import pytest
from temporalio.api.common.v1 import Payload

from infoshare.codec.encryption import ENCODING, KEY_ID, DecryptionError, EncryptionCodec
from infoshare.codec.keys import KeyRing, new_keyring

SECRET = b'{"title": "Joint investigation", "caseworker": "casey@phso.example"}'


def plain() -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=SECRET)


async def test_round_trip_hides_data_and_metadata() -> None:
    codec = EncryptionCodec(new_keyring("k1"))
    [sealed] = await codec.encode([plain()])
    assert sealed.metadata["encoding"] == ENCODING and sealed.metadata[KEY_ID] == b"k1"
    assert b"casey" not in sealed.data and b"json/plain" not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [plain()]


async def test_each_encryption_uses_a_fresh_nonce() -> None:
    codec = EncryptionCodec(new_keyring())
    first, second = await codec.encode([plain(), plain()])
    assert first.data != second.data


async def test_payloads_written_before_encryption_pass_through() -> None:
    assert await EncryptionCodec(new_keyring()).decode([plain()]) == [plain()]


async def test_a_history_written_with_an_old_key_decodes_after_rotation() -> None:
    old = new_keyring("k1")
    [sealed] = await EncryptionCodec(old).encode([plain()])
    rotated = old.with_new_key("k2")
    codec = EncryptionCodec(rotated)
    assert await codec.decode([sealed]) == [plain()]
    [resealed] = await codec.encode([plain()])
    assert resealed.metadata[KEY_ID] == b"k2"
    # a ring that dropped the old key says which key is missing
    with pytest.raises(DecryptionError, match="'k1', which is not loaded"):
        await EncryptionCodec(KeyRing({"k2": rotated.keys["k2"]}, "k2")).decode([sealed])


async def test_altered_ciphertext_or_relabelled_key_is_refused() -> None:
    ring = new_keyring("k1").with_new_key("k2")
    codec = EncryptionCodec(ring)
    [sealed] = await codec.encode([plain()])
    tampered = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + b"\x00")
    with pytest.raises(DecryptionError, match="altered"):
        await codec.decode([tampered])
    relabelled = Payload(metadata={**sealed.metadata, KEY_ID: b"k1"}, data=sealed.data)
    with pytest.raises(DecryptionError, match="altered"):
        await codec.decode([relabelled])
