"""Limits on what a message payload may be, checked before the payload is read.

No message needs more than a few kilobytes, two levels of nesting or control characters;
anything beyond is refused at once, with a clear error naming the limit. The check walks
the payload without recursion, so a hostile payload cannot exhaust the stack, and is a pure
function of the payload (the workflow runs it: it must be deterministic).

Control characters are refused because nothing a person types into these fields needs
them, and PostgreSQL cannot store NUL in text; lone surrogates because they are not text
at all (they cannot be written as UTF-8, so the data converter could not store them).
"""

from __future__ import annotations

import json
import math
import re

# The largest valid payload (every free-text field at its maximum length in 4-byte
# characters) is under 32 KiB: this refuses nothing a person could mean to send.
MAX_PAYLOAD_BYTES = 64 * 1024
# The deepest payload is two levels (an object inside the payload object).
MAX_DEPTH = 8
MAX_FIELD_NAME_CHARS = 64
# The longest address an actor may have (RFC 5321 path, less the brackets).
MAX_ACTOR_CHARS = 254

# C0 controls other than tab, newline and carriage return, and DEL
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class LimitError(ValueError):
    """A payload over a limit: says which limit, and where."""


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as a person's text, or None when it can."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid text: it contains a lone surrogate"
    control = _CONTROL.search(text)
    if control is not None:
        return f"contains the control character U+{ord(control.group()):04X}"
    return None


def plain_text(value: object, max_chars: int) -> str | None:
    """`value` if it is text fit to record (short, valid, no control characters), else None."""
    if isinstance(value, str) and len(value) <= max_chars and text_problem(value) is None:
        return value
    return None


def _scalar_bytes(value: object) -> int:
    """Bytes of `value` as compact JSON (an estimate for huge integers, never converted)."""
    if value is None or isinstance(value, bool):
        return 4 if value in (None, True) else 5
    if isinstance(value, int):
        bits = abs(value).bit_length()
        return 1 + (value < 0) + math.floor(bits * math.log10(2))
    if isinstance(value, float):
        return len(repr(value))
    if isinstance(value, str):
        return len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return len(type(value).__name__)  # not JSON: the payload model refuses it


def check_payload_limits(raw: object) -> None:
    """Raise LimitError if `raw` is too large, too deep, or carries text that is not text."""
    size = 0
    deepest = 0
    problem: str | None = None
    # (value, depth, where): an explicit stack instead of recursion
    stack: list[tuple[object, int, str]] = [(raw, 0, "")]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, dict | list | tuple):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_DEPTH:
                break
            items = value.items() if isinstance(value, dict) else enumerate(value)
            size += 2 + max(len(value) - 1, 0)
            for key, item in items:
                path = f"{where}.{key}" if where else str(key)
                if isinstance(value, dict):
                    if not isinstance(key, str):
                        problem = problem or f"field names must be text, not {type(key).__name__}"
                        continue
                    size += _scalar_bytes(key) + 1
                    why = text_problem(key)
                    if len(key) > MAX_FIELD_NAME_CHARS or why is not None:
                        problem = problem or (
                            f"a field name in '{where or 'payload'}' "
                            + (why or f"is longer than {MAX_FIELD_NAME_CHARS} characters")
                        )
                        continue
                stack.append((item, depth + 1, path))
        else:
            size += _scalar_bytes(value)
            if isinstance(value, str) and problem is None and (why := text_problem(value)):
                problem = f"field '{where or 'payload'}' {why}"
    if size > MAX_PAYLOAD_BYTES:
        raise LimitError(
            f"the payload is {size} bytes of JSON; the limit is {MAX_PAYLOAD_BYTES} bytes "
            f"({MAX_PAYLOAD_BYTES // 1024} KiB)"
        )
    if deepest > MAX_DEPTH:
        raise LimitError(f"the payload nests more than {MAX_DEPTH} levels deep; no message does")
    if problem is not None:
        raise LimitError(problem)
