"""Pseudonyms for search attributes.

Search attributes cannot be encrypted (the server indexes them), yet `IspCaseworker` is
how caseworkers find their own proposals. It holds a keyed hash of the caseworker's
email instead of the email: whoever knows the key (the web form, the CLI) computes it,
while a raw history or visibility dump shows no address.
"""

from __future__ import annotations

import hashlib
import hmac

from infoshare.codec.keys import load_pseudonym_key
from infoshare.settings import Settings, get_settings

PREFIX = "cw-"


def pseudonym(email: str, key: bytes) -> str:
    normalised = email.strip().lower().encode()
    return PREFIX + hmac.new(key, normalised, hashlib.sha256).hexdigest()[:24]


def caseworker_ref(email: str, settings: Settings | None = None) -> str:
    """The `IspCaseworker` value of proposals started by `email`."""
    return pseudonym(email, load_pseudonym_key(settings or get_settings()))
