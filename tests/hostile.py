"""Hostile message payloads for the fuzz tests: wrong types, huge strings, unicode (lone
surrogates, NUL, controls, bidi overrides), huge numbers, deep nesting, missing and extra
fields, and payloads that are not objects at all.

A payload starts from a valid one and is broken in one to three places, or replaced
whole, so that the fuzzers reach every check (some examples stay valid and are accepted).
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from hypothesis import strategies as st

from states.limits import MAX_PAYLOAD_BYTES

# Every code point, lone surrogates included.
ANY_CHAR = st.characters(exclude_categories=[])
ODD_TEXT: tuple[str, ...] = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "\x1b[31m",
    "\u202eevil",
    "\ufeff",
    "\r\n",
    "💥" * 300,
    "<script>alert(1)</script>",
    "'; DROP TABLE people; --",
    "../../etc/passwd",
    "${jndi:ldap://x}",
)
# around the field limits (4000, 200) and the payload limit
HUGE_LENGTHS = (200, 201, 4000, 4001, MAX_PAYLOAD_BYTES - 200, MAX_PAYLOAD_BYTES + 1, 100_000)


@cache
def huge_text(json_safe: bool = False) -> st.SearchStrategy[str]:
    """Long strings; when not `json_safe`, up to a million characters. (Sent to a real
    workflow, a few of these together stay under Temporal's 2 MB payload limit.)"""
    lengths = HUGE_LENGTHS if json_safe else (*HUGE_LENGTHS, 1_000_000)
    return st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "💥", " ", "\x00"]),
                     st.sampled_from(lengths))  # fmt: skip


@cache
def scalars(json_safe: bool = False) -> st.SearchStrategy[Any]:
    """`json_safe`: only what a JSON document can carry (for the real workflow)."""
    ints = st.integers() | st.sampled_from([2**63, -(2**63) - 1, 10**300])
    if not json_safe:
        ints = ints | st.integers(4400, 6000).map(lambda n: 10**n)  # more digits than str() allows
    text = st.text(ANY_CHAR, max_size=30) | st.sampled_from(ODD_TEXT) | huge_text(json_safe)
    return (
        st.none()
        | st.booleans()
        | ints
        | st.floats(allow_nan=not json_safe, allow_infinity=not json_safe)
        | text
    )


def nested(depth: int, leaf: Any = 0, as_list: bool = True) -> Any:
    """`depth` levels of lists (or objects) around `leaf`, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


@cache
def deep(json_safe: bool = False) -> st.SearchStrategy[Any]:
    """Nesting around the limits: ours (8), the worker's JSON decoder's (200) and, when not
    `json_safe`, deeper than `json.dumps` (or any recursive walk) could go."""
    depths = [3, 9, 50, 150, 199, 250, 300] + ([] if json_safe else [5000, 100_000])
    return st.builds(nested, st.sampled_from(depths), st.just(0), st.booleans())


@cache
def keys() -> st.SearchStrategy[str]:
    return (
        st.text(ANY_CHAR, max_size=12)
        | st.sampled_from(["actor", "role", "party", "__proto__", "constructor", "\x00"])
        | st.just("k" * 5000)
    )


@cache
def values(json_safe: bool = False) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars(json_safe),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys(), inner, max_size=4),
        max_leaves=8,
    ) | deep(json_safe)


@st.composite
def hostile_payload(draw: st.DrawFn, valid: dict[str, Any], json_safe: bool = False) -> Any:
    """`valid` broken in one to three places, or something else entirely."""
    how = draw(st.sampled_from(["as is", "padded", "break", "break", "replace", "object"]))
    if how == "as is":
        return dict(valid)
    if how == "padded":  # surrounding whitespace is stripped: still valid
        return {k: f"  {v}\n" if isinstance(v, str) else v for k, v in valid.items()}
    if how == "replace":
        return draw(values(json_safe))
    if how == "object":
        return draw(st.dictionaries(keys(), values(json_safe), max_size=6))
    payload = dict(valid)
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(sorted(payload))) if payload else "actor"
        change = draw(st.sampled_from(["value", "value", "drop", "extra", "actor"]))
        if change == "value":
            payload[field] = draw(values(json_safe))
        elif change == "drop":
            payload.pop(field, None)
        elif change == "extra":
            payload[draw(keys())] = draw(values(json_safe))
        else:
            payload["actor"] = draw(
                scalars(json_safe) | st.sampled_from(["a@b", "x" * 300 + "@phso.example"])
            )
    return payload


def kind_of_refusal(text: str) -> str:
    """A refusal's kind, for the fuzzers' counts."""
    for kind, words in (
        ("limit", ("bytes of JSON", "levels deep", "control character", "surrogate", "field name")),
        ("payload", ("field '", "one JSON object", "unknown message")),
        ("state", ("not accepted in state", "has ended")),
        ("segregation", ("segregation of duties",)),
        ("person", ("people directory", "does not hold the role", "signs for")),
    ):
        if any(w in text for w in words):
            return kind
    return "protocol"  # what the state needs first (no DPIA yet, stale draft, ...)


def summary(name: str, counts: Counter[str]) -> str:
    parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    return f"{name}: {sum(counts.values())} examples ({parts})"
