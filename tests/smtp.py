"""A real SMTP server for the tests (aiosmtpd on a free local port) that keeps what it
receives, and can be told to refuse recipients or to fail."""

from __future__ import annotations

import email
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from infoshare.runtime.serving import free_port
from infoshare.settings import get_settings


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")

    def attachments(self) -> dict[str, bytes]:
        """Each attachment's bytes as sent (decoded from the transfer encoding only)."""
        files = {}
        for part in self.message.iter_attachments():
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            files[str(part.get_filename())] = data
        return files


@dataclass
class Inbox:
    """The aiosmtpd handler: every message accepted, in order."""

    received: list[Received] = field(default_factory=list)
    # recipient -> SMTP answer for RCPT TO (e.g. "550 5.1.1 no such user")
    refuse: dict[str, str] = field(default_factory=dict)
    # accept this many more messages, then answer every DATA with a temporary failure
    fail_after: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.fail_after is not None and len(self.received) >= self.fail_after:
                return "451 4.3.0 try again later"
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, recipient: str) -> list[Received]:
        return [r for r in self.received if recipient in r.rcpt_tos]

    def recipients(self) -> list[str]:
        return [rcpt for r in self.received for rcpt in r.rcpt_tos]


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox
    env: pytest.MonkeyPatch = field(default_factory=pytest.MonkeyPatch)

    def configure(self, **env: str) -> None:
        """Point the settings at this server, with other INFOSHARE_* variables `env`
        (undone when the server stops)."""
        self.env.setenv("INFOSHARE_SMTP_HOST", self.host)
        self.env.setenv("INFOSHARE_SMTP_PORT", str(self.port))
        for name, value in env.items():
            self.env.setenv(f"INFOSHARE_{name.upper()}", value)
        get_settings.cache_clear()

    def unconfigure(self) -> None:
        self.env.undo()
        get_settings.cache_clear()


@contextmanager
def settings_from(**env: str | None) -> Iterator[None]:
    """Settings read with these INFOSHARE_* variables (None: unset) until the block ends."""
    patch = pytest.MonkeyPatch()
    for name, value in env.items():
        if value is None:
            patch.delenv(f"INFOSHARE_{name.upper()}", raising=False)
        else:
            patch.setenv(f"INFOSHARE_{name.upper()}", value)
    get_settings.cache_clear()
    try:
        yield
    finally:
        patch.undo()
        get_settings.cache_clear()


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    # aiosmtpd logs every line it receives at debug level: not the project's logs.
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    server = SmtpServer(controller.hostname, controller.port, inbox)
    try:
        yield server
    finally:
        server.unconfigure()
        controller.stop()
        server_log.setLevel(level)
