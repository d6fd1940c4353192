"""Structured logs on stderr: readable in a terminal, one JSON object a line for machines.

stdout stays free for what scripts capture (a workflow id, a status document).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

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


def configure_logging(fmt: str = "console", level: int = logging.INFO) -> None:
    """Log to stderr: `fmt` "json" renders JSON lines; anything else the console renderer
    (coloured when stderr is a terminal)."""
    renderer: Any
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
        extra: list[Any] = [structlog.processors.format_exc_info]
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
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
    for name in ("alembic", "sqlalchemy", "temporalio", "httpx", "transitions", "matplotlib"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
