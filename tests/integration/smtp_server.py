"""A real SMTP server (aiosmtpd) on 127.0.0.1 that insists on STARTTLS and a login, for every test that sends mail.

Its certificate comes from a throwaway CA (trustme) that only the test's client trusts, so the client really
verifies it, as it would verify a provider's certificate in production. The fixtures built on it are in
``tests/integration/conftest.py``; tests that start a bot (outreach, the journey) call ``start_smtp`` themselves.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from bot.config import MailingSettings

HOST = "127.0.0.1"
USERNAME = "annonces@tmnlab.example"
PASSWORD = "mot-de-passe-ç-été"
SENDER = "Fabrique TMNlab <annonces@tmnlab.example>"
LIST_ADDRESS = "fabriques@listes.tmnlab.example"


@dataclass
class Inbox:
    """The SMTP handler: keeps what it receives, and can be told to refuse the recipient or the data."""

    received: list[Envelope] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    recipient_reply: str | None = None
    data_reply: str | None = None

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.recipient_reply is not None:
            return self.recipient_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        if self.data_reply is not None:
            return self.data_reply
        self.received.append(envelope)
        self.sessions.append({"tls": session.ssl is not None, "authenticated": session.authenticated})
        return "250 Message accepted for delivery"


def authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    valid = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=valid, handled=False)  # handled=False: the server answers 535 itself


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def smtp_controller(inbox: Inbox, ca: trustme.CA, **options: Any) -> Controller:
    """The server, not started: STARTTLS with a certificate from ``ca``, then a login as USERNAME/PASSWORD."""
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(server_tls)
    return Controller(
        inbox,
        hostname=HOST,
        port=free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
        **options,
    )


async def start_smtp(inbox: Inbox, ca: trustme.CA) -> Controller:
    controller = smtp_controller(inbox, ca)
    controller.start()
    return controller


def mailing_settings(smtp: Controller, ca_file: Path) -> MailingSettings:
    """``[mailing]`` sending through ``smtp`` (STARTTLS with the test CA in ``ca_file``, the test login)."""
    return MailingSettings(
        enabled=True,
        host=HOST,
        port=smtp.port,
        starttls=True,
        username=USERNAME,
        sender="fabrique@tmnlab.test",
        list_address="membres@tmnlab.test",
        ca_file=str(ca_file),
    )
