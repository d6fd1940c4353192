"""Free local ports for the servers the tests start, and the default ports held while the
tests run (so that no test can depend on one being free)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from infoshare.runtime.serving import free_port

__all__ = ["default_ports", "free_port", "holding"]

# Prometheus metrics of the deployments (the setting's default is 0: off).
METRICS_PORT = 9464


def default_ports() -> dict[str, int]:
    """The ports the servers of the stack listen on by default, from the settings."""
    from infoshare.settings import Settings

    fields = Settings.model_fields

    def default(name: str) -> int:
        value = fields[name].default
        assert isinstance(value, int), name
        return value

    temporal = str(fields["temporal_address"].default)
    return {
        "Temporal frontend": int(temporal.rpartition(":")[2]),
        "Temporal UI": default("ui_port"),
        "web form": default("web_port"),
        "codec server": default("codec_port"),
        "worker health": default("health_port"),
        "worker metrics": METRICS_PORT,
    }


@contextmanager
def holding(ports: dict[str, int]) -> Iterator[dict[str, int]]:
    """Listen on each port of 127.0.0.1 (never accepting) while inside; yields those held.
    A port something else already listens on is taken just the same: left as it is."""
    held = {}
    with ExitStack() as stack:
        for what, port in ports.items():
            sock = stack.enter_context(socket.socket())
            try:
                sock.bind(("127.0.0.1", port))
                sock.listen()
            except OSError:
                continue
            held[what] = port
        yield held
