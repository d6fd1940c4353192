"""The encryption keys: several may be loaded, one is active.

Payloads are encrypted with the active key and name its id in their metadata, so a key
can be rotated (a new active key) while histories written with older keys still decode,
as long as the older keys stay loaded.

Keys come from `INFOSHARE_CODEC_KEYS` (``id:base64key,id2:base64key``) and
`INFOSHARE_CODEC_ACTIVE_KEY`; when those are empty (the embedded default) from a key
file under the home directory, created on first use.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infoshare.settings import Settings

KEY_BYTES = 32  # AES-256
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
KEY_FILE = "codec-keys.json"


class KeyConfigError(ValueError):
    """A key specification that cannot be used; says which part and why."""


@dataclass(frozen=True)
class KeyRing:
    keys: Mapping[str, bytes] = field(repr=False)
    active: str

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyConfigError("no encryption keys are configured")
        for key_id, key in self.keys.items():
            if not KEY_ID.fullmatch(key_id):
                raise KeyConfigError(
                    f"key id {key_id!r} must be 1-64 letters, digits, '_', '.' or '-'"
                )
            if len(key) != KEY_BYTES:
                raise KeyConfigError(
                    f"key {key_id!r} is {len(key)} bytes; AES-256 needs exactly {KEY_BYTES}"
                )
        if self.active not in self.keys:
            raise KeyConfigError(
                f"the active key {self.active!r} is not among the loaded keys "
                f"({', '.join(sorted(self.keys))})"
            )

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active]

    def with_new_key(self, key_id: str | None = None) -> KeyRing:
        """This ring plus a fresh random key, which becomes the active one."""
        key_id = key_id or f"k{len(self.keys) + 1}"
        if key_id in self.keys:
            raise KeyConfigError(f"key id {key_id!r} is already loaded")
        return KeyRing({**self.keys, key_id: secrets.token_bytes(KEY_BYTES)}, key_id)

    def to_spec(self) -> str:
        """The `INFOSHARE_CODEC_KEYS` form of this ring."""
        return ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in self.keys.items())


def new_keyring(key_id: str = "k1") -> KeyRing:
    return KeyRing({key_id: secrets.token_bytes(KEY_BYTES)}, key_id)


def parse_keys(spec: str, active: str = "") -> KeyRing:
    """``id:base64,id2:base64``; the active key is `active`, or the last one listed."""
    keys: dict[str, bytes] = {}
    for n, item in enumerate(filter(None, (part.strip() for part in spec.split(","))), 1):
        key_id, sep, encoded = item.partition(":")
        if not sep:
            raise KeyConfigError(f"INFOSHARE_CODEC_KEYS item {n} is not 'id:base64key'")
        try:
            keys[key_id.strip()] = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            raise KeyConfigError(
                f"INFOSHARE_CODEC_KEYS: key {key_id!r} is not valid base64"
            ) from None
    if not keys:
        raise KeyConfigError("INFOSHARE_CODEC_KEYS holds no keys")
    return KeyRing(keys, active or list(keys)[-1])


def key_file(settings: Settings) -> Path:
    return settings.home / KEY_FILE


def read_key_file(path: Path) -> KeyRing:
    try:
        data = json.loads(path.read_text())
        keys = {k: base64.b64decode(v, validate=True) for k, v in data["keys"].items()}
        return KeyRing(keys, data["active"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise KeyConfigError(f"the key file {path} cannot be used: {err}") from None


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Write the ring (keeping any other entries of the file), readable by its owner only."""
    try:
        body = json.loads(path.read_text())
    except (OSError, ValueError):
        body = {}
    body["active"] = ring.active
    body["keys"] = {k: base64.b64encode(v).decode() for k, v in ring.keys.items()}
    _write_json(path, body)


def _write_json(path: Path, body: dict[str, object]) -> None:
    """Replace `path` atomically with `body`, mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(body, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_pseudonym_key(settings: Settings) -> bytes:
    """The secret behind pseudonyms in search attributes (`codec.pseudonym`): from
    `INFOSHARE_CODEC_PSEUDONYM_KEY`, else the home's key file (added on first use).

    Unlike the encryption keys it is never rotated: pseudonyms already in the
    visibility store must keep matching."""
    spec = settings.codec_pseudonym_key.get_secret_value()
    if spec:
        try:
            key = base64.b64decode(spec, validate=True)
        except binascii.Error:
            raise KeyConfigError("INFOSHARE_CODEC_PSEUDONYM_KEY is not valid base64") from None
        if len(key) < 16:
            raise KeyConfigError("INFOSHARE_CODEC_PSEUDONYM_KEY must be at least 16 bytes")
        return key
    path = key_file(settings)
    load_keyring(settings)  # creates the file if needed
    data = json.loads(path.read_text())
    if "pseudonym_key" not in data:
        data["pseudonym_key"] = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
        _write_json(path, data)
    return base64.b64decode(data["pseudonym_key"])


def load_keyring(settings: Settings) -> KeyRing:
    """The configured keys: from the environment, else the home's key file (created
    with one fresh key the first time)."""
    spec = settings.codec_keys.get_secret_value()
    if spec:
        return parse_keys(spec, settings.codec_active_key)
    path = key_file(settings)
    if not path.exists():
        write_key_file(path, new_keyring())
    ring = read_key_file(path)
    if settings.codec_active_key:
        return KeyRing(ring.keys, settings.codec_active_key)
    return ring
