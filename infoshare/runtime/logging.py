"""Structured logs on stderr: readable in a terminal, one JSON object a line for machines.

stdout stays free for what scripts capture (a workflow id, a status document).

Personal data stays out of the logs: every record, ours (structlog) and the libraries'
(temporalio, alembic, sqlalchemy, through the standard library), passes through
`redact_personal_data` on its way out. Values of keys that carry people's email addresses
keep only the domain and a short hash (so one person's lines can still be followed); values
of keys that carry names or free text (titles, purposes, descriptions, notes, reasons) are
replaced; and an email address inside any other string, a traceback included, is masked.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO

import structlog
from structlog.typing import ExcInfo

REDACTED = "[redacted]"

# Keys whose values are people's email addresses (also as a suffix: `caseworker_email`).
EMAIL_KEYS: frozenset[str] = frozenset(
    {
        "email", "emails", "recipient", "recipients", "actor", "caseworker", "sender",
        "to", "cc", "bcc", "reply_to", "mail_from", "from_", "helphub", "helphub_email",
        "user", "username", "person", "signatory", "signed_by", "released_by",
        "attached_by", "proposer",
    }
)  # fmt: skip
# Keys whose values are names or free text, dropped whole.
FREE_TEXT_KEYS: frozenset[str] = frozenset(
    {
        "name", "full_name", "title", "job_title", "purpose", "description", "notes",
        "note", "reason", "reasons", "justification", "detail", "details", "text", "body",
        "content", "comment", "comments", "subject", "summary", "actions", "evidence",
        "free_text",
    }
)  # fmt: skip
EMAIL_IN_TEXT = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+)")
# structlog's own keys, never personal data
_STRUCTURAL = frozenset({"event", "level", "logger", "timestamp", "exc_info", "stack_info"})


def mask_email(address: str) -> str:
    """`dana@phso.example` -> `<9f2c1a7b>@phso.example`: the domain and a short hash."""
    local, _, domain = address.strip().rpartition("@")
    if not local or not domain:
        return REDACTED
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:8]
    return f"<{digest}>@{domain.lower()}"


def mask_emails(text: str) -> str:
    """`text` with every email address in it masked."""
    return EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)


def _kind(key: str) -> str | None:
    key = key.lower()
    for kind, keys in (("free", FREE_TEXT_KEYS), ("email", EMAIL_KEYS)):
        if key in keys or any(key.endswith(f"_{k}") for k in keys):
            return kind
    return None


def _redact(value: Any, kind: str | None) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if kind == "free":
        return REDACTED
    if isinstance(value, str):
        if kind == "email" and "@" in value and " " not in value.strip():
            return mask_email(value)
        return mask_emails(value)
    if isinstance(value, Mapping):
        return {k: _redact(v, _kind(str(k)) or kind) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact(item, kind) for item in value]
    if isinstance(value, int | float):
        return value
    # Anything else is logged as its text: mask what that text holds.
    return mask_emails(str(value))


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: keep personal data out of the record (see the module doc)."""
    for key, value in list(event_dict.items()):
        if key in _STRUCTURAL:
            if isinstance(value, str):
                event_dict[key] = mask_emails(value)
            continue
        event_dict[key] = _redact(value, _kind(key))
    return event_dict


def _masked_traceback(sio: TextIO, exc_info: ExcInfo) -> None:
    """The console renderer's traceback, with email addresses masked."""
    buffer = io.StringIO()
    structlog.dev.plain_traceback(buffer, exc_info)
    sio.write(mask_emails(buffer.getvalue()))


# Processors shared by our own log calls and by records from the standard library
# (temporalio, alembic, sqlalchemy).
_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever `sys.stderr` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


# Libraries that are chatty below WARNING (fontTools logs every table of every PDF font).
# transitions logs each state's callbacks at INFO, on the worker's hot path.
LIBRARY_LOGGERS: tuple[str, ...] = ("alembic", "sqlalchemy", "temporalio", "httpx", "fontTools")
LIBRARY_LOGGERS += ("fpdf", "transitions", "matplotlib")


def configure_logging(fmt: str = "console", level: int = logging.INFO) -> None:
    """Log to stderr: `fmt` "json" renders JSON lines; anything else the console renderer
    (coloured when stderr is a terminal). Either way through `redact_personal_data`."""
    renderer: Any
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
        # Tracebacks become text before redaction, so addresses in them are masked too.
        extra: list[Any] = [structlog.processors.format_exc_info]
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=_masked_traceback
        )
        extra = []

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )

    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder()],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *extra,
                redact_personal_data,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, _StderrHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries are chatty at INFO; their warnings still come through.
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def ensure_logging(fmt: str = "console") -> None:
    """Configure logging unless the program already has (a worker started without the
    CLI still logs through the redaction)."""
    if not structlog.is_configured():
        configure_logging(fmt)
