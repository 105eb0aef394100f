"""The mailer against a real SMTP server (aiosmtpd) on 127.0.0.1 that insists on STARTTLS and a login.

The server's certificate comes from a throwaway CA (trustme) that only the test's client trusts, so the client
really verifies it, as it would verify a provider's certificate in production.
"""

from __future__ import annotations

import base64
import email
import ssl
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.smtp import Envelope
from icalendar import Calendar

from bot.integrations.calendar import CalendarEntry, calendar_file
from bot.integrations.mailing import Mailer, MailingError, MailMessage
from tests.integration.smtp_server import HOST, LIST_ADDRESS, PASSWORD, SENDER, USERNAME, Inbox, free_port

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2025, 3, 12, 17, 30, tzinfo=UTC)
END = datetime(2025, 3, 12, 19, 30, tzinfo=UTC)
SUBJECT = "Nouvelle Fabrique : « Écrire ensemble » — mercredi 12 mars"
TEXT = (
    "Bonjour à toutes et à tous,\n\n"
    "La Fabrique « Écrire ensemble » aura lieu le mercredi 12 mars de 18 h 30 à 20 h 30 (heure de Paris).\n"
    "Inscrivez-vous sur Discord : le lien Zoom est envoyé aux inscrit·es. Œuvre collective, déjà 3 places prises.\n"
)
HTML = (
    "<p>Bonjour à toutes et à tous,</p>"
    "<p>La Fabrique <strong>« Écrire ensemble »</strong> aura lieu le mercredi 12 mars de 18 h 30 à 20 h 30 "
    "(heure de Paris).</p><p>Inscrivez-vous sur Discord : le lien Zoom est envoyé aux inscrit·es.</p>"
)


def make_mailer(port: int, tls_context: ssl.SSLContext | None, **overrides: Any) -> Mailer:
    options: dict[str, Any] = {
        "host": HOST,
        "port": port,
        "starttls": True,
        "username": USERNAME,
        "password": PASSWORD,
        "sender": SENDER,
        "list_address": LIST_ADDRESS,
        "tls_context": tls_context,
        "timeout": 10.0,
    }
    return Mailer(**{**options, **overrides})


def announcement(message_id: str | None = None) -> MailMessage:
    entry = CalendarEntry(
        uid="fabrique-42@tmnlab.example",
        title="Écrire ensemble",
        description="Atelier d'écriture collective — parcours classique.",
        location="Zoom — lien envoyé aux inscrits",
        start=START,
        end=END,
        stamp=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
    )
    return MailMessage(
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
        ics=calendar_file([entry], "Fabriques TMNlab"),
        ics_filename="fabrique-42.ics",
        message_id=message_id,
    )


def parsed(envelope: Envelope) -> EmailMessage:
    assert isinstance(envelope.content, bytes)
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def mailer(smtp_port: int, client_tls: ssl.SSLContext) -> Iterator[Mailer]:
    yield make_mailer(smtp_port, client_tls)


# --- a message that arrives --------------------------------------------------------------------------------------


async def test_the_announcement_arrives_over_starttls_after_login(mailer: Mailer, inbox: Inbox) -> None:
    message_id = await mailer.send(announcement())

    [envelope] = inbox.received
    assert inbox.sessions == [{"tls": True, "authenticated": True}]
    assert envelope.mail_from == "annonces@tmnlab.example"
    assert envelope.rcpt_tos == [LIST_ADDRESS]

    received = parsed(envelope)
    assert received["Subject"] == SUBJECT
    assert received["From"] == SENDER
    assert received["To"] == LIST_ADDRESS
    assert received["Message-ID"] == message_id
    assert message_id.startswith("<") and message_id.endswith("@tmnlab.example>")
    assert received["Date"].datetime.tzinfo is not None
    assert received.get_content_type() == "multipart/mixed"

    plain = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert "<strong>« Écrire ensemble »</strong>" in html.get_content()
    assert "inscrit·es" in html.get_content()


async def test_the_calendar_file_is_attached_and_reads_back(mailer: Mailer, inbox: Inbox) -> None:
    message = announcement()
    await mailer.send(message)

    [attachment] = parsed(inbox.received[0]).iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "fabrique-42.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_payload(decode=True) == message.ics

    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == END
    assert event.decoded("dtstart").astimezone(PARIS).hour == 18
    assert str(event["summary"]) == "Écrire ensemble"


async def test_a_message_id_given_by_the_caller_is_kept(mailer: Mailer, inbox: Inbox) -> None:
    stable = "<fabrique-42-annonce@tmnlab.example>"

    first = await mailer.send(announcement(message_id=stable))
    second = await mailer.send(announcement(message_id=stable))  # a retry: the list can drop the duplicate

    assert first == second == stable
    assert [parsed(envelope)["Message-ID"] for envelope in inbox.received] == [stable, stable]


async def test_without_a_calendar_file_the_message_is_just_the_two_alternatives(mailer: Mailer, inbox: Inbox) -> None:
    await mailer.send(MailMessage(subject="Rappel", text="Texte brut — été", html="<p>HTML — été</p>"))

    received = parsed(inbox.received[0])
    assert received.get_content_type() == "multipart/alternative"
    assert list(received.iter_attachments()) == []
    body = received.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().strip() == "Texte brut — été"


# --- failures, sorted by who can fix them ------------------------------------------------------------------------


async def test_a_wrong_password_is_an_auth_error(smtp_port: int, client_tls: ssl.SSLContext, inbox: Inbox) -> None:
    mailer = make_mailer(smtp_port, client_tls, password="pas-le-bon")

    with pytest.raises(MailingError) as caught:
        await mailer.send(announcement())

    assert (caught.value.key, caught.value.retryable, caught.value.code) == ("error.mailing.auth", False, 535)
    assert inbox.received == []


async def test_a_missing_password_is_an_auth_error_without_connecting(client_tls: ssl.SSLContext) -> None:
    mailer = make_mailer(free_port(), client_tls, password=None)

    with pytest.raises(MailingError) as caught:
        await mailer.send(announcement())

    assert (caught.value.key, caught.value.retryable) == ("error.mailing.auth", False)


async def test_a_server_that_is_down_is_unavailable_and_worth_retrying(client_tls: ssl.SSLContext) -> None:
    mailer = make_mailer(free_port(), client_tls)

    with pytest.raises(MailingError) as caught:
        await mailer.send(announcement())

    assert (caught.value.key, caught.value.retryable) == ("error.mailing.unavailable", True)


async def test_a_refused_recipient_is_rejected(mailer: Mailer, inbox: Inbox) -> None:
    inbox.recipient_reply = "550 5.1.1 <fabriques@listes.tmnlab.example>: Recipient address rejected"

    with pytest.raises(MailingError) as caught:
        await mailer.send(announcement())

    assert (caught.value.key, caught.value.retryable, caught.value.code) == ("error.mailing.rejected", False, 550)


async def test_a_temporary_refusal_is_unavailable_and_worth_retrying(mailer: Mailer, inbox: Inbox) -> None:
    inbox.data_reply = "451 4.3.0 Try again later"

    with pytest.raises(MailingError) as caught:
        await mailer.send(announcement())

    assert (caught.value.key, caught.value.retryable, caught.value.code) == ("error.mailing.unavailable", True, 451)


async def test_a_certificate_the_client_does_not_trust_stops_the_send(smtp_port: int, inbox: Inbox) -> None:
    untrusting = ssl.create_default_context()  # the system's CAs only: the test CA is unknown to it
    mailer = make_mailer(smtp_port, untrusting)

    with pytest.raises(MailingError) as caught:
        await mailer.send(announcement())

    assert (caught.value.key, caught.value.retryable) == ("error.mailing.unavailable", True)
    assert inbox.received == []  # nothing went out in clear instead


async def test_refusing_starttls_where_the_server_requires_it_is_rejected(
    smtp_port: int, client_tls: ssl.SSLContext, inbox: Inbox
) -> None:
    mailer = make_mailer(smtp_port, client_tls, starttls=False)  # the server offers no AUTH before STARTTLS

    with pytest.raises(MailingError) as caught:
        await mailer.send(announcement())

    assert (caught.value.key, caught.value.retryable) == ("error.mailing.rejected", False)
    assert inbox.received == []


async def test_the_logs_hold_neither_the_password_nor_the_body(
    mailer: Mailer, smtp_port: int, client_tls: ssl.SSLContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    message_id = await mailer.send(announcement())
    with pytest.raises(MailingError):
        await make_mailer(smtp_port, client_tls, password="pas-le-bon").send(announcement())

    assert message_id in caplog.text
    for secret in (PASSWORD, "pas-le-bon", "Bonjour à toutes", "Écrire ensemble"):
        assert secret not in caplog.text


# --- a subject that tries to write headers -----------------------------------------------------------------------

INJECTED = "x\r\nReply-To: pirate@attaquant.example\r\nBcc: victime@ailleurs.example"
HEADERS_SENT = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]


def encoded_word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


@pytest.mark.parametrize(
    "title",
    [
        pytest.param(encoded_word(INJECTED), id="base64-encoded-word"),
        pytest.param("=?utf-8?q?x=0D=0AReply-To=3A_pirate@attaquant.example?=", id="q-encoded-word"),
        pytest.param(f"Atelier {encoded_word(INJECTED)} suite", id="encoded-word-inside"),
    ],
)
async def test_an_encoded_word_in_the_subject_adds_no_header(mailer: Mailer, inbox: Inbox, title: str) -> None:
    """CVE-2024-6923: Python before 3.11.10 / 3.12.5 decodes such a word and writes its CR LF out as is."""
    subject = f"Fabrique collective : {title} — mercredi 12 mars"

    await mailer.send(replace(announcement(), subject=subject))

    [envelope] = inbox.received
    received = parsed(envelope)
    assert list(received.keys()) == HEADERS_SENT
    assert received.get_all("Reply-To") is None and received.get_all("Bcc") is None
    assert envelope.rcpt_tos == [LIST_ADDRESS]
    # Readers see exactly the subject the bot wrote, its =?…?= as text: decoded once, never twice.
    assert received["Subject"] == subject
    assert b"pirate@attaquant.example" not in envelope.content


@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r", "\x00", "\x0b", "\u2028", "\x85"])
async def test_a_subject_with_a_line_break_or_control_character_is_refused_before_sending(
    mailer: Mailer, inbox: Inbox, breaker: str
) -> None:
    subject = f"Fabrique collective : x{breaker}Reply-To: pirate@attaquant.example"

    with pytest.raises(MailingError) as caught:
        await mailer.send(replace(announcement(), subject=subject))

    assert (caught.value.key, caught.value.retryable) == ("error.mailing.rejected", False)
    assert inbox.received == []
