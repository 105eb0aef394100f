"""Team slots and organizers' bookings: local time with DST, overlaps, and the booking rules."""

from __future__ import annotations

import discord

from tests.behaviour.builders import ZOOM, add_slot, approved_fabrique, local_date, slash_without_waiting
from tests.behaviour.conftest import World, said
from tests.support import assert_refused


async def test_slots_on_dst_change_days_show_the_local_hour(world: World) -> None:
    spring = await add_slot(world, "28/03/2027", "14:00")
    autumn = await add_slot(world, "31/10/2027", "14:00")
    listing = said(await world.moderator.slash(world.general, "equipe creneaux")).embeds[0].description
    # 14:00 in Paris is 12:00 UTC after the spring change and 13:00 UTC after the autumn one.
    assert f"**n°{spring}** · <t:1806235200:F>" in listing
    assert f"**n°{autumn}** · <t:1824987600:F>" in listing
    choices = await world.alice.autocomplete(world.general, "fabrique reserver", "creneau", "")
    assert [c["name"] for c in choices] == [
        f"n°{spring} · dimanche 28 mars 2027 à 14:00 · 2h30",
        f"n°{autumn} · dimanche 31 octobre 2027 à 14:00 · 2h30",
    ]


async def test_a_time_that_does_not_exist_is_refused(world: World) -> None:
    result = await world.moderator.slash(
        world.general, "equipe creneau-ajouter", date="28/03/2027", heure="02:30", duree=90
    )
    assert "passage à l'heure d'été" in said(result).content
    assert_refused(world.env, "error.input.nonexistent_time")


async def test_overlap_past_and_bad_values_are_refused_naming_the_problem(world: World) -> None:
    first = await add_slot(world, "04/05/2027", "14:00", 120)
    cases = {
        ("04/05/2027", "15:00", 60): f"chevauche le créneau n°{first}",
        ("04/05/2027", "16:10", 60): f"chevauche le créneau n°{first}",  # inside the 15 min buffer
        ("04/05/2027", "12:00", 110): f"chevauche le créneau n°{first}",
        ("01/01/2020", "14:00", 60): "déjà passée",
        ("31/02/2027", "14:00", 60): "Date illisible",
        ("04/05/2027", "25:00", 60): "Heure illisible",
        ("04/05/2027", "18:00", 5): "entre 30 et 480 minutes",
    }
    for (date, heure, duree), expected in cases.items():
        result = await world.moderator.slash(
            world.general, "equipe creneau-ajouter", date=date, heure=heure, duree=duree
        )
        assert expected in said(result).content, (date, heure, said(result).content)
    assert await add_slot(world, "04/05/2027", "16:15", 60)  # right after the buffer: fine
    listing = said(await world.moderator.slash(world.general, "equipe creneaux")).embeds[0].description
    assert listing.count("libre") == 2
    assert_refused(
        world.env,
        "error.slot.overlap",
        "error.slot.overlap",
        "error.slot.overlap",
        "error.input.past",
        "error.input.date",
        "error.input.time",
        "error.input.slot_length",
    )


async def test_only_the_team_manages_slots(world: World) -> None:
    result = await world.alice.slash(
        world.general, "equipe creneau-ajouter", date="04/05/2027", heure="14:00", duree=90
    )
    assert "Seule l'équipe" in said(result).content
    slot = await add_slot(world, "04/05/2027")
    result = await world.alice.slash(world.general, "equipe creneau-retirer", creneau=slot)
    assert "Seule l'équipe" in said(result).content
    removed = await world.moderator.slash(world.general, "equipe creneau-retirer", creneau=slot)
    assert "retiré" in said(removed).content
    assert (
        "Aucun créneau libre" in said(await world.alice.slash(world.general, "fabrique creneaux")).embeds[0].description
    )
    assert_refused(world.env, "error.team_only", "error.team_only")


async def test_booking_rules(world: World) -> None:
    number = await approved_fabrique(world)  # arpentage, classique, 2h
    short = await add_slot(world, local_date(world, 20), "09:00", 90)
    soon = await add_slot(world, local_date(world, 3), "14:00", 150)
    good = await add_slot(world, local_date(world, 20), "14:00", 150)
    cases = [
        (world.alice, number, short, "plus long"),
        (world.alice, number, soon, "7 jours de préparation"),
        (world.bob, number, good, "Seule l'organisation de cette Fabrique ou l'équipe"),
        (world.alice, 99, good, "Aucune Fabrique n°99"),
        (world.alice, number, 99, "Aucun créneau n°99"),
    ]
    for actor, fabrique, slot, expected in cases:
        result = await actor.slash(world.general, "fabrique reserver", fabrique=fabrique, creneau=slot)
        assert expected in said(result).content, said(result).content
    booked = await world.moderator.slash(world.general, "fabrique reserver", fabrique=number, creneau=good)
    assert "C'est réservé" in said(booked).content
    # The slot is now taken and no longer offered; the removal of a booked slot is refused.
    offered = await world.alice.autocomplete(world.general, "fabrique reserver", "creneau", "")
    assert good not in [c["value"] for c in offered]
    refused = await world.moderator.slash(world.general, "equipe creneau-retirer", creneau=good)
    assert f"réservé par la Fabrique n°{number}" in said(refused).content
    assert_refused(
        world.env,
        "error.slot.too_short",
        "error.slot.too_soon",
        "error.not_organizer_or_team",
        "error.unknown_fabrique",
        "error.unknown_slot",
        "error.slot.booked",
    )


async def test_express_needs_two_days_only(world: World) -> None:
    shown = await world.alice.slash(world.general, "fabrique proposer", format="atelier", parcours="express", duree=90)
    await world.alice.submit_modal(shown, {"titre": "Atelier 3P", "description": "Un problème partagé."})
    await world.moderator.click(world.team_channel.last_message, label="Approuver")
    slot = await add_slot(world, local_date(world, 3), "10:00", 90)
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=1, creneau=slot)
    assert "C'est réservé" in said(booked).content


async def test_two_organizers_booking_one_slot_at_once(world: World) -> None:
    first = await approved_fabrique(world)
    second = await approved_fabrique(world, actor=world.bob, titre="Autre sujet")
    slot = await add_slot(world, local_date(world, 20))
    results = [
        slash_without_waiting(world.alice, world.general, "fabrique reserver", fabrique=first, creneau=slot),
        slash_without_waiting(world.bob, world.general, "fabrique reserver", fabrique=second, creneau=slot),
    ]
    await world.env.settle()
    texts = [said(result).content for result in results]
    assert sum("C'est réservé" in text for text in texts) == 1, texts
    assert sum("vient d'être réservé" in text for text in texts) == 1, texts
    assert_refused(world.env, "error.slot.taken")


async def test_move_and_release(world: World) -> None:
    number = await approved_fabrique(world)
    first = await add_slot(world, local_date(world, 20))
    second = await add_slot(world, local_date(world, 27))
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=first)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    moved = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=second)
    assert "est déplacée" in said(moved).content
    assert "change de date" in world.dms(world.bob)[-1].content
    free = [c["value"] for c in await world.alice.autocomplete(world.general, "fabrique reserver", "creneau", "")]
    assert first in free and second not in free
    released = await world.alice.slash(world.general, "fabrique liberer", fabrique=number)
    assert "est libéré" in said(released).content
    assert "reportée" in world.dms(world.bob)[-1].content
    assert world.agenda.last_message.components == []
    (event,) = world.env.bot.get_guild(world.guild.id).scheduled_events
    assert event.status is discord.EventStatus.cancelled
