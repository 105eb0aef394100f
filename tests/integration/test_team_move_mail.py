"""The mailing list hears of a team move once, over a real SMTP server (aiosmtpd with STARTTLS and a login): the
team moves a classic session three days ahead with ``force``, the list gets one « Nouvelle date » email with the
new ``.ics``, and nothing the bot does afterwards (due work, retries) sends it again. A released slot sends
nothing to the list (there is no date to give); the booking that follows is mailed once as a new date."""

from __future__ import annotations

import email
from datetime import UTC, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import trustme
from icalendar import Calendar
from pydantic import SecretStr

from bot.app import create_bot
from bot.config import MailingSettings, Settings
from tests.behaviour.builders import add_slot, announced_session, local_date
from tests.behaviour.conftest import build_world, configure, running, said
from tests.conftest import make_settings
from tests.integration.smtp_server import HOST, LIST_ADDRESS, PASSWORD, SENDER, USERNAME, Inbox, start_smtp


def mailing_settings(tmp_path: Path, port: int, ca_file: Path) -> Settings:
    base = make_settings(tmp_path)
    mailing = MailingSettings(
        enabled=True,
        host=HOST,
        port=port,
        starttls=True,
        username=USERNAME,
        sender=SENDER,
        list_address=LIST_ADDRESS,
        ca_file=str(ca_file),
    )
    secrets = base.secrets.model_copy(update={"smtp_password": SecretStr(PASSWORD)})
    return make_settings(tmp_path, mailing=mailing).model_copy(update={"secrets": secrets})


def emails(inbox: Inbox) -> list[EmailMessage]:
    return [email.message_from_bytes(e.content, policy=policy.default) for e in inbox.received]  # type: ignore[misc]


def calendar_start(message: EmailMessage):
    (ics,) = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    return event.decoded("dtstart").astimezone(UTC)


async def test_a_team_move_mails_the_list_once(tmp_path: Path) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    inbox = Inbox()
    smtp = await start_smtp(inbox, ca)
    try:
        bot = create_bot(mailing_settings(tmp_path, smtp.port, ca_file))
        async with running(bot, settle_timeout=10.0) as env:
            world = build_world(env)
            await configure(world)
            number = await announced_session(world)
            await env.settle(timeout=30)
            (announced,) = emails(inbox)
            assert "Arpenter le MOOC" in announced["subject"] and announced["to"] == LIST_ADDRESS

            soon = await add_slot(world, local_date(world, 3), "10:00", 150)
            moved = await world.moderator.slash(
                world.general, "equipe deplacer", fabrique=number, creneau=soon, force=True
            )
            assert "est déplacée" in said(moved).content
            await env.settle(timeout=30)
            await bot.run_due_work()
            await env.advance_time(timedelta(hours=3).total_seconds())  # past every retry wait
            await bot.run_due_work()
            await env.settle(timeout=30)
            _, move = emails(inbox)
            assert move["subject"].startswith("Nouvelle date")
            record = await bot.services.sessions.get_any(number)
            assert calendar_start(move) == record.starts_at

            released = await world.alice.slash(world.general, "fabrique liberer", fabrique=number)
            assert "libéré" in said(released).content
            await env.settle(timeout=30)
            assert len(inbox.received) == 2  # no date to give: the list hears of the new one

            later = await add_slot(world, local_date(world, 30))
            booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=later)
            assert "annoncée" in said(booked).content
            await env.settle(timeout=30)
            *_, rebooked = emails(inbox)
            assert len(inbox.received) == 3 and rebooked["subject"].startswith("Nouvelle date")
            record = await bot.services.sessions.get_any(number)
            assert calendar_start(rebooked) == record.starts_at
            assert env.errors == []
    finally:
        smtp.stop()
