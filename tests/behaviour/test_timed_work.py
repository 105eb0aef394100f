"""Timed work in simulated time: SimCord's clock moves, then ``bot.run_due_work()`` runs what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.db.engine import create_engine
from bot.db.models import DueWorkRow, FabriqueRow
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    announced_session,
    approved_fabrique,
    local_date,
    move_to,
    reminders,
    session_times,
    texts,
)
from tests.behaviour.conftest import World, restart, said
from tests.support import assert_refused


async def test_each_reminder_arrives_once_at_its_time(world: World, settings) -> None:
    number = await announced_session(world)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    start, _ = await session_times(world, settings, number)
    await move_to(world, start - timedelta(days=7))
    await move_to(world, start - timedelta(days=2))
    await move_to(world, start - timedelta(hours=24, minutes=1))
    assert reminders(world, world.bob) == []
    await move_to(world, start - timedelta(hours=24))
    assert len(reminders(world, world.bob)) == 1 and ZOOM in reminders(world, world.bob)[0]
    assert await world.env.bot.run_due_work() == 0
    await move_to(world, start - timedelta(hours=1))
    assert len(reminders(world, world.bob)) == 2
    await move_to(world, start + timedelta(minutes=5))
    assert len(reminders(world, world.bob)) == 2
    assert reminders(world, world.alice) == []  # the organizer is not registered: checklists, not reminders
    checklists = [t for t in texts(world, world.alice) if t.startswith("📝")]
    assert len(checklists) == 2 and "dans 7 jour(s)" in checklists[0] and "dans 2 jour(s)" in checklists[1]
    thread = world.agenda.threads[0]
    assert "commence maintenant" in thread.last_message.content and ZOOM not in thread.last_message.content


async def test_reminder_across_the_autumn_dst_change(world: World, settings) -> None:
    number = await approved_fabrique(world)
    slot = await add_slot(world, "31/10/2027", "14:00")
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    start = datetime(2027, 10, 31, 13, 0, tzinfo=UTC)  # 14:00 in Paris, winter time since 03:00 that night
    await move_to(world, start - timedelta(hours=24, seconds=1))  # 15:00 summer time the day before, minus 1 s
    assert reminders(world, world.bob) == []
    await move_to(world, start - timedelta(hours=24))
    assert len(reminders(world, world.bob)) == 1
    assert "dimanche 31 octobre 2027 à 14:00" in reminders(world, world.bob)[0]


async def test_a_restart_between_due_time_and_dispatch_sends_once(world: World, settings) -> None:
    number = await announced_session(world)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    start, _ = await session_times(world, settings, number)
    await world.env.advance_time((start - timedelta(hours=23) - world.env.now()).total_seconds())
    await restart(world.env, settings)
    await world.env.bot.run_due_work()  # the new bot's scheduler may already have woken up for it: either way once
    await restart(world.env, settings)
    await world.env.bot.run_due_work()
    assert len(reminders(world, world.bob)) == 1


async def test_a_send_interrupted_by_a_crash_is_not_repeated(world: World, settings) -> None:
    number = await announced_session(world)
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    start, _ = await session_times(world, settings, number)
    engine = create_engine(settings.database.url)
    async with engine.begin() as connection:  # the state a crash mid-send leaves behind
        await connection.execute(
            update(DueWorkRow)
            .where(DueWorkRow.kind == "reminder", DueWorkRow.amount == 1440)
            .values(status="claimed", claimed_at=start - timedelta(hours=24), attempts=1)
        )
    await engine.dispose()
    await restart(world.env, settings)
    await move_to(world, start - timedelta(minutes=59))
    assert len(reminders(world, world.bob)) == 1  # the 1 h one only: the interrupted 24 h one is never resent


async def test_moved_cancelled_and_unregistered_get_nothing_stale(world: World, settings) -> None:
    moved = await announced_session(world)
    carla = world.guild.add_member(world.env.create_user("carla"), roles=[world.member_role])
    await world.bob.click(world.agenda.last_message, label="S'inscrire")
    await carla.click(world.agenda.last_message, label="S'inscrire")
    await carla.click(world.agenda.last_message, label="Se désinscrire")
    old_start, _ = await session_times(world, settings, moved)
    later = await add_slot(world, local_date(world, 30))
    await world.alice.slash(world.general, "fabrique reserver", fabrique=moved, creneau=later)
    new_start, _ = await session_times(world, settings, moved)

    cancelled = await announced_session(world, days=25)
    await world.admin.click(world.agenda.last_message, label="S'inscrire")
    await world.moderator.slash(world.general, "equipe annuler", fabrique=cancelled, motif="Imprévu")

    await move_to(world, old_start - timedelta(hours=23))
    assert reminders(world, world.bob) == []
    await move_to(world, new_start - timedelta(hours=23))
    assert len(reminders(world, world.bob)) == 1
    assert reminders(world, world.admin) == [] and reminders(world, carla) == []


async def test_recap_prompt_chasers_and_deadline_until_documented(world: World, settings) -> None:
    number = await announced_session(world)
    _, end = await session_times(world, settings, number)
    await move_to(world, end + timedelta(minutes=14))
    assert not any("Documentez" in t or "Merci d'avoir animé" in t for t in texts(world, world.alice))
    await move_to(world, end + timedelta(minutes=15))
    prompt = world.dms(world.alice)[-1]
    assert "Merci d'avoir animé" in prompt.content
    labels = [child.label for row in prompt.components for child in row.children]
    assert labels == ["Enregistrement + notes", "Compte-rendu 3P"]
    path = await world.alice.user.click(prompt, label="Compte-rendu 3P")
    assert path.modal is not None and "Compte-rendu 3P" in path.modal["title"]

    suivi = said(await world.moderator.slash(world.general, "equipe suivi")).embeds[0]
    fields = {field.name: field.value for field in suivi.fields}
    assert "documentation attendue : **1**" in fields["Par état"]
    assert f"**n°{number}**" in fields["Documentations attendues : 1"]

    await move_to(world, end + timedelta(days=3))
    await move_to(world, end + timedelta(days=7))
    chasers = [t for t in texts(world, world.alice) if t.startswith("📚")]
    assert len(chasers) == 2 and "3 jours" in chasers[0] and "7 jours" in chasers[1]
    posted = len(world.team_channel.history())
    await move_to(world, end + timedelta(days=14))
    # Past the first of the month, the team channel also has last month's bilan (issue 16).
    assert any("n'est pas publiée, 14 jours après" in m.content for m in world.team_channel.history()[posted:])
    await move_to(world, end + timedelta(days=16))
    suivi = said(await world.moderator.slash(world.general, "equipe suivi")).embeds[0]
    assert "en retard de 2 j" in str(suivi.to_dict())
    refused = await world.alice.slash(world.general, "equipe suivi")
    assert "Seule l'équipe" in said(refused).content
    assert_refused(world.env, "error.team_only")


async def test_chasers_stop_once_documentation_is_published(world: World, settings) -> None:
    number = await announced_session(world)
    _, end = await session_times(world, settings, number)
    await move_to(world, end + timedelta(days=3))
    assert len([t for t in texts(world, world.alice) if t.startswith("📚")]) == 1
    # Publication comes with the documentation pipeline; here its outcome is written directly.
    engine = create_engine(settings.database.url)
    async with engine.begin() as connection:
        await connection.execute(update(FabriqueRow).where(FabriqueRow.id == number).values(state="documented"))
    await engine.dispose()
    before = len(world.team_channel.history())
    await move_to(world, end + timedelta(days=15))
    assert len([t for t in texts(world, world.alice) if t.startswith("📚")]) == 1
    assert [m for m in world.team_channel.history()[before:] if not m.content.startswith("📊 Le bilan du mois")] == []
