"""The team registers people, on Discord or not; « Intéressé » registers; closed DMs are told in the thread.

A week of the team: Mme Xavière Dupont is not on Discord, so the team registers her by name and e-mail; she takes a
seat like anyone, gets her confirmation with the .ics, her reminder with the Zoom link and the cancellation by
e-mail — through a real SMTP server (aiosmtpd with STARTTLS and a login, tests/integration/smtp_server.py).
"""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme
from pydantic import SecretStr

from bot.app import create_bot
from bot.config import MailingSettings, Settings
from bot.db.models import FabriqueRow, RegistrationRow
from tests.behaviour.builders import ZOOM, announced_session, move_to, places_field, row, session_times, texts
from tests.behaviour.conftest import World, build_world, configure, running, said
from tests.conftest import make_settings
from tests.integration.smtp_server import HOST, PASSWORD, SENDER, USERNAME, Inbox, smtp_controller
from tests.support import assert_refused

XAVIERE = {"nom": "Mme Xavière Dupont", "email": " Xaviere.Dupont@Exemple.fr "}
XAVIERE_ADDRESS = "xaviere.dupont@exemple.fr"


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def settings(tmp_path: Path, inbox: Inbox) -> Iterator[Settings]:
    """Mailing on, to a real SMTP server that checks TLS and the login."""
    ca = trustme.CA()
    ca_file = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = smtp_controller(inbox, ca)
    server.start()
    mailing = MailingSettings(
        enabled=True, host=HOST, port=server.port, starttls=True, username=USERNAME, sender=SENDER,
        list_address="membres@tmnlab.test", ca_file=str(ca_file),
    )  # fmt: skip
    plain = make_settings(tmp_path, mailing=mailing)
    yield plain.model_copy(update={"secrets": plain.secrets.model_copy(update={"smtp_password": SecretStr(PASSWORD)})})
    server.stop()


def mails_to(inbox: Inbox, address: str) -> list[EmailMessage]:
    return [
        email.message_from_bytes(envelope.original_content or b"", policy=policy.default)  # type: ignore[misc]
        for envelope in inbox.received
        if envelope.rcpt_tos == [address]
    ]


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def calendars(message: EmailMessage) -> list[str]:
    return [part.get_content() for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


async def test_the_team_registers_someone_outside_discord_who_hears_everything_by_email(
    world: World, inbox: Inbox, settings: Settings
) -> None:
    number = await announced_session(world, places=2)

    # Mme Dupont takes a seat; her confirmation arrives by e-mail with the session's .ics, and never the link.
    added = await world.moderator.slash(world.team_channel, "equipe inscrire", fabrique=number, **XAVIERE)
    reply = said(added).content
    assert "Mme Xavière Dupont (xaviere.dupont@exemple.fr) est inscrit·e" in reply and "Prévenu·e par e-mail" in reply
    (confirmation,) = mails_to(inbox, XAVIERE_ADDRESS)
    assert confirmation["Subject"].startswith("Inscription confirmée : Arpenter le MOOC")
    assert "Bonjour Mme Xavière Dupont" in body(confirmation)
    (ics,) = calendars(confirmation)
    assert "BEGIN:VEVENT" in ics and "Arpenter le MOOC" in ics and ZOOM not in ics and ZOOM not in body(confirmation)

    # She counts against the two places: Alice takes the last seat, Bob waits.
    await world.alice.slash(world.general, "fabrique inscrire", fabrique=number)
    waiting = await world.bob.slash(world.general, "fabrique inscrire", fabrique=number)
    assert "liste d'attente" in said(waiting).content
    await world.env.advance_time(6)  # the announcement's count is edited at most every 5 s
    assert places_field(world).startswith("2 inscrit·e(s) sur 2 places")

    # A second outsider is waitlisted, then removed by her address: each hears it by e-mail.
    other = {"nom": "Mme Yvonne Martin", "email": "yvonne@exemple.fr"}
    queued = await world.moderator.slash(world.team_channel, "equipe inscrire", fabrique=number, **other)
    assert "est n°2 sur la liste d'attente" in said(queued).content
    removed = await world.moderator.slash(
        world.team_channel, "equipe desinscrire", fabrique=number, email="YVONNE@exemple.fr"
    )
    assert "Mme Yvonne Martin (yvonne@exemple.fr) n'est plus inscrit·e" in said(removed).content
    subjects = [mail["Subject"] for mail in mails_to(inbox, "yvonne@exemple.fr")]
    assert [subject.split(" :")[0] for subject in subjects] == ["Liste d'attente", "Désinscription"]

    # The team sees her name and address in the list and the CSV; the organizer sees her name only.
    listed = said(await world.moderator.slash(world.team_channel, "fabrique inscrits", fabrique=number))
    assert "Mme Xavière Dupont · xaviere.dupont@exemple.fr (hors Discord)" in listed.content
    csv_text = (await listed.attachments[0].read()).decode("utf-8-sig")
    assert "Mme Xavière Dupont" in csv_text and XAVIERE_ADDRESS in csv_text and "équipe" in csv_text
    seen_by_organizer = said(await world.alice.slash(world.general, "fabrique inscrits", fabrique=number))
    assert "Mme Xavière Dupont (hors Discord)" in seen_by_organizer.content
    assert XAVIERE_ADDRESS not in seen_by_organizer.content
    assert XAVIERE_ADDRESS not in (await seen_by_organizer.attachments[0].read()).decode("utf-8-sig")

    # 24 h before: her reminder carries the Zoom link, by e-mail.
    start, _ = await session_times(world, settings, number)
    await move_to(world, start - timedelta(hours=24))
    reminder = mails_to(inbox, XAVIERE_ADDRESS)[-1]
    assert reminder["Subject"].startswith("Rappel : Arpenter le MOOC") and ZOOM in body(reminder)
    assert any(ZOOM in text for text in texts(world, world.alice))  # members still get theirs by DM

    # The team cancels: she reads the motif by e-mail.
    await world.moderator.slash(world.team_channel, "equipe annuler", fabrique=number, motif="Intervenante malade.")
    cancelled = mails_to(inbox, XAVIERE_ADDRESS)[-1]
    assert cancelled["Subject"].startswith("Annulée : Arpenter le MOOC") and "Intervenante malade." in body(cancelled)
    assert len(mails_to(inbox, XAVIERE_ADDRESS)) == 3
    assert_refused(world.env)


async def test_removing_an_outsider_gives_her_seat_to_the_waitlist(world: World, inbox: Inbox) -> None:
    number = await announced_session(world, places=1)
    await world.moderator.slash(world.team_channel, "equipe inscrire", fabrique=number, **XAVIERE)
    await world.bob.slash(world.general, "fabrique inscrire", fabrique=number)
    removed = await world.moderator.slash(
        world.team_channel, "equipe desinscrire", fabrique=number, email=XAVIERE_ADDRESS
    )
    assert "n'est plus inscrit·e" in said(removed).content
    assert mails_to(inbox, XAVIERE_ADDRESS)[-1]["Subject"].startswith("Désinscription")
    assert any("Une place s'est libérée" in text for text in texts(world, world.bob))
    again = await world.moderator.slash(
        world.team_channel, "equipe desinscrire", fabrique=number, email=XAVIERE_ADDRESS
    )
    assert "Personne n'est inscrit·e avec cette adresse" in said(again).content
    assert_refused(world.env, "error.outside.not_registered")


async def test_the_team_registers_a_member_as_if_they_had_done_it(world: World) -> None:
    number = await announced_session(world, places=1)
    added = await world.moderator.slash(world.team_channel, "equipe inscrire", fabrique=number, membre=world.bob)
    assert f"<@{world.bob.id}> est inscrit·e" in said(added).content
    assert any("Vous êtes inscrit·e" in text for text in texts(world, world.bob))
    queued = await world.moderator.slash(world.team_channel, "equipe inscrire", fabrique=number, membre=world.alice)
    assert f"<@{world.alice.id}> est n°1 sur la liste d'attente" in said(queued).content
    removed = await world.moderator.slash(world.team_channel, "equipe desinscrire", fabrique=number, membre=world.bob)
    assert f"<@{world.bob.id}> n'est plus inscrit·e" in said(removed).content
    assert any("Une place s'est libérée" in text for text in texts(world, world.alice))
    assert_refused(world.env)


async def test_refusals_change_nothing(world: World, inbox: Inbox, settings: Settings) -> None:
    number = await announced_session(world)
    bad = await world.moderator.slash(
        world.team_channel, "equipe inscrire", fabrique=number, nom="M. Zed", email="zed@exemple"
    )
    assert "Cette adresse e-mail n'est pas valable" in said(bad).content
    assert_refused(world.env, "error.outside.email")
    hidden = await world.moderator.slash(
        world.team_channel, "equipe inscrire", fabrique=number, nom="M.\x1b[2J Zed", email="zed@exemple.fr"
    )
    assert "caractères de contrôle" in said(hidden).content
    assert_refused(world.env, "error.input.control_characters")
    nobody = await world.moderator.slash(world.team_channel, "equipe inscrire", fabrique=number, nom="M. Zed")
    assert "Indiquez soit un·e membre" in said(nobody).content
    assert_refused(world.env, "error.outside.who")
    member = await world.alice.slash(world.general, "equipe inscrire", fabrique=number, **XAVIERE)
    assert "Seule l'équipe" in said(member).content
    assert_refused(world.env, "error.team_only")
    leaving = await world.alice.slash(world.general, "equipe desinscrire", fabrique=number, email=XAVIERE_ADDRESS)
    assert "Seule l'équipe" in said(leaving).content
    assert_refused(world.env, "error.team_only")
    assert inbox.received == [] or all(env.rcpt_tos == ["membres@tmnlab.test"] for env in inbox.received)
    assert (await row(settings, RegistrationRow, number)) is None


async def test_without_mailing_nobody_outside_discord_is_registered(tmp_path: Path) -> None:
    async with running(create_bot(make_settings(tmp_path))) as env:
        world = build_world(env)
        await configure(world)
        number = await announced_session(world)
        refused = await world.moderator.slash(world.team_channel, "equipe inscrire", fabrique=number, **XAVIERE)
        assert "l'intégration mailing n'est pas activée" in said(refused).content
        assert_refused(env, "error.outside.mailing_off")
        member = await world.moderator.slash(world.team_channel, "equipe inscrire", fabrique=number, membre=world.bob)
        assert "est inscrit·e" in said(member).content  # a member needs no mailing
        assert_refused(env)


async def test_the_announcement_email_says_how_to_register_without_discord(world: World, inbox: Inbox) -> None:
    await announced_session(world)
    await world.env.settle(timeout=10)
    (announcement,) = mails_to(inbox, "membres@tmnlab.test")
    text = body(announcement)
    assert "réagissez ✅ à l'annonce" in text
    assert "Pas sur Discord ? Écrivez à l'équipe (annonces@tmnlab.example)" in text


# --- « Intéressé » on the scheduled event ---------------------------------------------------------------------------


async def test_interested_on_the_scheduled_event_registers_and_unregisters(world: World, settings: Settings) -> None:
    number = await announced_session(world)
    event_id = (await row(settings, FabriqueRow, number))["scheduled_event_id"]
    assert event_id

    await world.bob.subscribe_event(event_id)
    assert "✅ Vous êtes inscrit·e à « Arpenter le MOOC" in texts(world, world.bob)[-1]
    registered = await row(settings, RegistrationRow, number)
    assert registered["user_id"] == world.bob.id and registered["source"] == "event"

    await world.outsider.subscribe_event(event_id)  # no member role: told why, not registered
    assert "réservée aux membres de la communauté" in texts(world, world.outsider)[-1]

    await world.bob.unsubscribe_event(event_id)
    assert "Votre inscription à « Arpenter le MOOC" in texts(world, world.bob)[-1]
    assert await row(settings, RegistrationRow, number) is None
    assert_refused(world.env)


# --- closed DMs -----------------------------------------------------------------------------------------------------


async def test_a_registrant_with_closed_dms_is_told_in_the_thread_and_marked_for_the_team(world: World) -> None:
    number = await announced_session(world)
    announcement = world.agenda.last_message
    # Bob's DMs are closed: the bot's next message, his confirmation, is refused (Discord's 50007).
    world.env.inject_error("POST", "/channels/*/messages", status=403, code=50007, message="Cannot send messages")
    await world.bob.react(announcement, "✅")

    (thread,) = world.agenda.threads
    notice = thread.last_message.content
    assert f"<@{world.bob.id}>" in notice and "/fabrique lien (n°" in notice and ZOOM not in notice
    listed = said(await world.moderator.slash(world.team_channel, "fabrique inscrits", fabrique=number))
    assert f"<@{world.bob.id}> (messages privés fermés)" in listed.content
    link = await world.bob.slash(world.general, "fabrique lien", fabrique=number)
    assert ZOOM in said(link).content
    assert_refused(world.env)
