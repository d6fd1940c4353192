"""Wording shared by the rules' reasons."""

from __future__ import annotations


def human(identifier: str) -> str:
    """An identifier as words: ``"racial_or_ethnic_origin"`` -> ``"racial or ethnic origin"``."""
    return identifier.replace("_", " ")
