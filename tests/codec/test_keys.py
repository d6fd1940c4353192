"""Encryption keys: parsed strictly, stored privately, rotated without losing old ones."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from infoshare.codec.keys import (
    KEY_BYTES,
    KeyConfigError,
    KeyRing,
    load_keyring,
    load_pseudonym_key,
    new_keyring,
    parse_keys,
    read_key_file,
)
from infoshare.codec.pseudonym import pseudonym
from infoshare.settings import Settings

KEY = base64.b64encode(b"k" * KEY_BYTES).decode()
OTHER = base64.b64encode(b"o" * KEY_BYTES).decode()


def test_parse_takes_the_last_key_as_active_unless_told() -> None:
    ring = parse_keys(f"old:{KEY}, new:{OTHER}")
    assert ring.active == "new" and set(ring.keys) == {"old", "new"}
    assert parse_keys(f"old:{KEY},new:{OTHER}", "old").active == "old"
    assert parse_keys(ring.to_spec()).keys == ring.keys


@pytest.mark.parametrize(
    ("spec", "active", "words"),
    [
        ("", "", "holds no keys"),
        ("nocolon", "", "is not 'id:base64key'"),
        ("k1:not base64!", "", "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "", "AES-256 needs exactly 32"),
        (f"k1:{KEY}", "k2", "active key 'k2' is not among the loaded keys"),
        (f"bad id:{KEY}", "", "must be 1-64 letters"),
    ],
)
def test_bad_key_specs_say_what_is_wrong(spec: str, active: str, words: str) -> None:
    with pytest.raises(KeyConfigError, match=words):
        parse_keys(spec, active)


def test_the_embedded_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    first = load_keyring(settings)
    path = tmp_path / "codec-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring(settings).keys == first.keys
    # the pseudonym key joins the same file without disturbing the encryption keys
    secret = load_pseudonym_key(settings)
    assert load_pseudonym_key(settings) == secret
    assert read_key_file(path).keys == first.keys


def test_keys_from_the_environment_win_over_the_file(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, codec_keys=f"prod1:{KEY}", codec_active_key="prod1")
    assert load_keyring(settings).active_key == b"k" * KEY_BYTES
    assert not (tmp_path / "codec-keys.json").exists()


def test_rotation_adds_an_active_key_and_keeps_the_old_ones() -> None:
    ring = new_keyring("k1")
    rotated = ring.with_new_key()
    assert rotated.active == "k2" and rotated.keys["k1"] == ring.keys["k1"]
    with pytest.raises(KeyConfigError, match="already loaded"):
        rotated.with_new_key("k1")


def test_an_empty_ring_is_refused() -> None:
    with pytest.raises(KeyConfigError, match="no encryption keys"):
        KeyRing({}, "k1")


def test_pseudonyms_are_stable_keyed_and_hide_the_address() -> None:
    a = pseudonym("Casey@PHSO.example ", b"s" * 32)
    assert a == pseudonym("casey@phso.example", b"s" * 32)
    assert a != pseudonym("casey@phso.example", b"t" * 32)
    assert a != pseudonym("cam@phso.example", b"s" * 32)
    assert a.startswith("cw-") and "casey" not in a and "phso" not in a
