"""Announcements to the community's mailing list, over any SMTP server.

Each announcement is one e-mail to the list address: a plain-text and an HTML version of the same French text,
and the session's ``.ics`` so subscribers can add it to their calendar. The Message-ID can be fixed by the caller
so that a retried send carries the same id and list software can drop the duplicate.

Failures become a MailingError whose ``key`` names a catalogue sentence and whose ``retryable`` says whether a
later attempt can help: a server that is down or answers 4xx may recover, a refused login or a 5xx will not until
someone changes the configuration or the message. Bodies and the password are never logged.

The Subject carries a member's title. The bot writes it on the wire itself, wholly as RFC 2047 encoded words, and
refuses one holding a line break or a control character: so no ``=?…?=`` typed into a title is ever decoded into
header syntax, whatever the Python version (the standard folder wrote such a decoded CR LF out as a new header
until 3.11.10 / 3.12.5: CVE-2024-6923).
"""

from __future__ import annotations

import logging
import ssl
import unicodedata
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import Policy
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal

import aiosmtplib

log = logging.getLogger(__name__)

MailingErrorKey = Literal["error.mailing.auth", "error.mailing.unavailable", "error.mailing.rejected"]

AUTH_CODES = {530, 534, 535, 538}  # RFC 4954: authentication required / too weak / credentials invalid / TLS needed
LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})  # CR, LF, NUL, VT, NEL… and the Unicode line/paragraph separators
DEFAULT_LINE_LENGTH = 78  # RFC 5322's recommended limit, for a policy that sets none


class MailingError(Exception):
    """The list did not get the message; ``key`` is the catalogue sentence, ``retryable`` says if later may work."""

    def __init__(self, key: MailingErrorKey, *, retryable: bool, code: int | None = None) -> None:
        super().__init__(key)
        self.key: MailingErrorKey = key
        self.retryable = retryable
        self.code = code  # the SMTP reply code when the server gave one, for the logs


@dataclass(frozen=True)
class MailMessage:
    subject: str
    text: str = field(repr=False)  # bodies stay out of reprs, hence out of logs and assertion messages
    html: str = field(repr=False)
    ics: bytes | None = field(default=None, repr=False)
    ics_filename: str = "fabrique.ics"
    message_id: str | None = None
    to: str | None = field(default=None, repr=False)  # one person (a registrant outside Discord); None: the list


class Mailer:
    """Sends to the configured list, or to one registrant outside Discord; one connection per message, since
    both are rare."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        starttls: bool,
        username: str,
        password: str | None,
        sender: str,
        list_address: str,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._host = host
        self._port = port
        self._starttls = starttls
        self._username = username
        self._password = password
        self._sender = sender
        self._list_address = list_address
        self._tls_context = tls_context
        self._timeout = timeout

    def compose(self, message: MailMessage, message_id: str) -> EmailMessage:
        """The MIME message: alternatives (text, HTML) and, when given, the calendar file as an attachment."""
        email = EmailMessage(policy=SMTP_POLICY)
        email["From"] = self._sender
        email["To"] = message.to or self._list_address
        email["Subject"] = EncodedSubject(message.subject)
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = message_id
        email.set_content(message.text, subtype="plain", charset="utf-8")
        email.add_alternative(message.html, subtype="html", charset="utf-8")
        if message.ics is not None:
            # METHOD:PUBLISH says "for your calendar", not an invitation to answer; bytes keep the CRLF lines intact.
            email.add_attachment(
                message.ics,
                maintype="text",
                subtype="calendar",
                filename=message.ics_filename,
                params={"method": "PUBLISH", "charset": "utf-8"},
            )
        return email

    async def send(self, message: MailMessage) -> str:
        """Send ``message`` to the list (or to ``message.to``) and return the Message-ID used (the given one, or a
        new one)."""
        message_id = _bracketed(message.message_id) if message.message_id else make_msgid(domain=self._domain())
        if any(unicodedata.category(char) in LINE_BREAKING for char in message.subject):
            log.error("Mailing: message %s refused: its subject holds a line break or a control character", message_id)
            raise MailingError("error.mailing.rejected", retryable=False)
        email = self.compose(message, message_id)
        if self._username and self._password is None:
            log.error("Mailing: a username is configured but SMTP_PASSWORD is not set")
            raise MailingError("error.mailing.auth", retryable=False)
        smtp = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            start_tls=self._starttls,  # True insists on STARTTLS: credentials never cross the network in clear
            tls_context=self._tls_context,
            timeout=self._timeout,
        )
        try:
            async with smtp:
                if self._username:
                    await smtp.login(self._username, self._password or "")
                # The envelope takes bare addresses; the headers keep any display name ("Fabrique <…>").
                recipient = parseaddr(message.to or self._list_address)[1]
                await smtp.send_message(email, sender=parseaddr(self._sender)[1], recipients=[recipient])
        except (aiosmtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise _mailing_error(exc, message_id) from None
        log.info("Mailing: message %s sent to %s", message_id, "a registrant" if message.to else "the list")
        return message_id

    def _domain(self) -> str:
        return parseaddr(self._sender)[1].rpartition("@")[2] or "fabrique.invalid"


class EncodedSubject:
    """A Subject header the email package stores and writes as given, never parsed: a value with a matching
    ``name`` passes ``header_store_parse`` untouched and is written by its own ``fold`` (documented in
    ``email.policy``). Every character goes inside an encoded word, so the line on the wire is plain ASCII and a
    ``=?…?=`` of the text is decoded once, into text, by whoever reads it."""

    name = "Subject"

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def fold(self, *, policy: Policy) -> str:
        length = policy.max_line_length or DEFAULT_LINE_LENGTH
        encoded = Header(self.text, "utf-8", maxlinelen=length, header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


def _bracketed(message_id: str) -> str:
    message_id = message_id.strip()
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def _mailing_error(exc: BaseException, message_id: str) -> MailingError:
    """Sort a failure by who can fix it: time (unavailable, retryable), the operator (auth), or nobody (rejected)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        # One recipient (the list): its refusal decides. 4xx (mailbox busy, greylisting) passes with time.
        codes = [refusal.code for refusal in exc.recipients]
        code = max(codes) if codes else None
        retryable = code is not None and 400 <= code < 500
        log.warning("Mailing: the list address was refused for %s (SMTP %s)", message_id, code)
        return MailingError(
            "error.mailing.unavailable" if retryable else "error.mailing.rejected", retryable=retryable, code=code
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        code = exc.code
        if code in AUTH_CODES:
            log.error("Mailing: the SMTP server refused the login (SMTP %s)", code)
            return MailingError("error.mailing.auth", retryable=False, code=code)
        if 400 <= code < 500:
            log.warning("Mailing: temporary refusal for %s (SMTP %s)", message_id, code)
            return MailingError("error.mailing.unavailable", retryable=True, code=code)
        if isinstance(exc, aiosmtplib.SMTPConnectError):  # an odd greeting: the server is not ready for us
            log.warning("Mailing: the SMTP server greeted with %s", code)
            return MailingError("error.mailing.unavailable", retryable=True, code=code)
        log.error("Mailing: message %s refused (SMTP %s)", message_id, code)
        return MailingError("error.mailing.rejected", retryable=False, code=code)
    if isinstance(exc, ssl.SSLError):
        # Never sent in clear instead. Logged as an error because someone should look, yet retryable: the usual
        # cause is a provider's lapsed certificate renewal, which fixes itself on their side.
        log.error("Mailing: TLS with the SMTP server failed (%s)", type(exc).__name__)
        return MailingError("error.mailing.unavailable", retryable=True)
    if isinstance(exc, aiosmtplib.SMTPException) and not isinstance(exc, ConnectionError | TimeoutError):
        # No STARTTLS or no AUTH offered where the configuration requires them: the server says no to our terms.
        log.error("Mailing: the SMTP server does not support what the configuration requires (%s)", exc)
        return MailingError("error.mailing.rejected", retryable=False)
    log.warning("Mailing: SMTP server unreachable for %s (%s)", message_id, type(exc).__name__)
    return MailingError("error.mailing.unavailable", retryable=True)
