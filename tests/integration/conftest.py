"""The SMTP server's fixtures, shared by the mailer's tests and ``check-config --connect``'s."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import pytest
import trustme

from tests.integration.smtp_server import Inbox, smtp_controller


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def client_tls(certificate_authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    certificate_authority.configure_trust(context)
    return context


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def smtp_port(inbox: Inbox, certificate_authority: trustme.CA) -> AsyncIterator[int]:
    controller = smtp_controller(inbox, certificate_authority, server_hostname="smtp.tmnlab.test")
    await asyncio.to_thread(controller.start)  # the server runs its own loop in a thread; this one stays free
    try:
        yield controller.port
    finally:
        await asyncio.to_thread(controller.stop)
