"""Slots, booking and announcement (SPEC §2 steps 2–4)."""

from __future__ import annotations

from tests.behaviour.builders import ZOOM, add_slot, approved_fabrique, local_date
from tests.behaviour.conftest import World, said


async def test_book_then_link_announces_without_leaking_the_link(world: World) -> None:
    number = await approved_fabrique(world)
    slot = await add_slot(world, local_date(world, 20))
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    assert "dès que l'équipe aura donné le lien Zoom" in said(booked).content
    assert "/equipe lien-zoom" in world.team_channel.last_message.content
    assert world.agenda.last_message is None

    linked = await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    assert "maintenant annoncée" in said(linked).content
    announcement = world.agenda.last_message
    embed = announcement.embeds[0]
    assert embed.title.startswith("Arpenter le MOOC")
    text = str(embed.to_dict()) + announcement.content
    assert "<t:" in text and ":F>" in text and ":R>" in text
    assert ZOOM not in text and "zoom.us" not in text
    labels = [child.label for row in announcement.components for child in row.children]
    assert labels == ["S'inscrire", "Se désinscrire"]
    assert [str(r.emoji) for r in announcement.reactions] == ["✅"]
    assert announcement.attachments[0].filename.endswith(".ics")
    ics = await announcement.attachments[0].read()
    assert b"BEGIN:VEVENT" in ics and b"zoom.us" not in ics
    (event,) = world.env.bot.get_guild(world.guild.id).scheduled_events
    assert event.location == "Zoom — lien envoyé aux inscrits"
    assert event.entity_type.name == "external" and event.end_time is not None
    assert "zoom.us" not in f"{event.name} {event.description} {event.location}"
    assert world.env.errors == []
