"""A Fabrique in series through the services: proposed with its size and rhythm, moderated once (its later sessions
made at approval), booked session after session in rank order, found by ``seance`` or each command's default,
corrected, withdrawn and cancelled as one series — and a single Fabrique exactly as before."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import SessionSettings
from bot.db import migrate
from bot.db.models import FabriqueRow
from bot.domain.lifecycle import Action, State
from bot.domain.proposal import ProposalText
from bot.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bot.services import Services
from bot.services.corrections import People
from bot.services.records import FabriqueRecord
from bot.services.series import CancelPlan, Default
from bot.services.slots import MoveTarget
from tests.conftest import GUILD_ID, make_settings
from tests.ports import services_on
from tests.unit.builders import ALICE, BOB, DRAFT, TEAM, add_slot, approved_fabrique, configure, count
from tests.unit.conftest import FakeClock

SERIES = replace(DRAFT, sessions=3, rhythm="  un jeudi   sur deux ")


@pytest.fixture
async def configured(services: Services) -> Services:
    await configure(services)
    return services


async def approved_series(services: Services, sessions: int = 3) -> FabriqueRecord:
    record = await services.proposals.propose(GUILD_ID, ALICE, replace(SERIES, sessions=sessions))
    return (await services.proposals.decide(GUILD_ID, record.id, TEAM, Action.APPROVE)).fabrique


async def numbers(services: Services, home: int) -> list[int]:
    progress = await services.series.progress(GUILD_ID, home)
    assert progress is not None
    return [session.number for session in progress.sessions]


async def book_next(services: Services, home: int, date: str, seance: int | None = None) -> FabriqueRecord:
    """What ``/fabrique reserver`` does: the session meant, then the booking on a new slot that day."""
    session = await services.series.resolve(GUILD_ID, home, seance, Default.NEXT_UNBOOKED)
    slot = await add_slot(services, date, "14:00", 180)
    return (await services.slots.book(GUILD_ID, session, slot.id, ALICE)).fabrique


# --- proposing and moderating ---------------------------------------------------------------------------------------


async def test_a_series_is_proposed_with_its_size_and_rhythm_and_moderated_once(configured: Services) -> None:
    proposed = await configured.proposals.propose(GUILD_ID, ALICE, SERIES)
    assert (proposed.series_size, proposed.series_rhythm, proposed.is_series) == (3, "un jeudi sur deux", False)
    before = await configured.series.progress(GUILD_ID, proposed.id)
    assert before is not None and (before.size, before.rhythm, before.sessions) == (3, "un jeudi sur deux", ())

    approved = (await configured.proposals.decide(GUILD_ID, proposed.id, TEAM, Action.APPROVE)).fabrique
    progress = await configured.series.progress(GUILD_ID, approved.id)
    assert progress is not None
    assert [(s.rank, s.state, s.starts_at) for s in progress.sessions] == [(r, State.APPROVED, None) for r in (1, 2, 3)]
    assert progress.sessions[0].number == approved.id and progress.programmed == 0
    later = await configured.sessions.get(GUILD_ID, progress.sessions[2].number)
    assert (later.title, later.organizer_id, later.home_id, later.series_rank) == (
        approved.title,
        ALICE.user_id,
        approved.id,
        3,
    )


async def test_a_series_size_is_refused_beyond_the_configured_maximum_before_the_form_opens(
    engine: AsyncEngine, database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    await migrate.upgrade(engine)
    settings = make_settings(tmp_path, database_url, sessions=SessionSettings(max_series_sessions=4))
    services = services_on(engine, settings, clock)
    await configure(services)
    with pytest.raises(InvalidInput) as refused:
        await services.proposals.ensure_can_propose(GUILD_ID, ALICE, 5)
    assert refused.value.key == "error.series.size" and refused.value.params["maximum"] == 4
    with pytest.raises(InvalidInput):
        await services.proposals.propose(GUILD_ID, ALICE, replace(SERIES, sessions=5))
    assert await count(engine, FabriqueRow) == 0  # nothing written


async def test_a_single_fabrique_keeps_no_rhythm_and_makes_no_session_at_approval(
    configured: Services, engine: AsyncEngine
) -> None:
    single = await configured.proposals.propose(GUILD_ID, ALICE, replace(DRAFT, rhythm="chaque lundi"))
    approved = (await configured.proposals.decide(GUILD_ID, single.id, TEAM, Action.APPROVE)).fabrique
    assert (approved.series_size, approved.series_rhythm, approved.series_id) == (1, "", None)
    assert await configured.series.progress(GUILD_ID, approved.id) is None
    assert await count(engine, FabriqueRow) == 1


async def test_a_rhythm_longer_than_its_limit_is_refused_with_its_field(configured: Services) -> None:
    with pytest.raises(InvalidInput) as refused:
        await configured.proposals.propose(GUILD_ID, ALICE, replace(SERIES, rhythm="x" * 201))
    assert (refused.value.key, refused.value.params["field"]) == ("error.input.too_long", "rythme")


# --- which session a command means ----------------------------------------------------------------------------------


async def test_the_organizer_books_the_next_unbooked_session_each_time_in_rank_order(configured: Services) -> None:
    home = (await approved_series(configured)).id
    first, second, third = await numbers(configured, home)
    booked = [await book_next(configured, home, date) for date in ("15/03/2027", "22/03/2027", "29/03/2027")]
    assert [record.id for record in booked] == [first, second, third]
    assert [record.starts_at for record in booked] == sorted(record.starts_at for record in booked)
    with pytest.raises(InvalidState) as refused:
        await configured.series.resolve(GUILD_ID, home, None, Default.NEXT_UNBOOKED)
    assert refused.value.key == "error.series.all_booked"
    progress = await configured.series.progress(GUILD_ID, home)
    assert progress is not None and progress.programmed == 3


async def test_a_date_out_of_rank_order_is_refused_and_changes_nothing(configured: Services) -> None:
    home = (await approved_series(configured)).id
    _, second, third = await numbers(configured, home)
    await book_next(configured, home, "22/03/2027")
    with pytest.raises(InvalidInput) as before:
        await book_next(configured, home, "15/03/2027")  # session 2 before session 1
    assert (before.value.key, before.value.params["other"]) == ("error.series.before", 1)
    await book_next(configured, home, "05/04/2027", seance=3)
    with pytest.raises(InvalidInput) as after:
        await book_next(configured, home, "12/04/2027", seance=2)  # session 2 after session 3
    assert (after.value.key, after.value.params["other"]) == ("error.series.after", 3)
    assert (await configured.sessions.get(GUILD_ID, second)).state is State.APPROVED
    assert await configured.series.resolve(GUILD_ID, home, 3, Default.HOME) == third
    with pytest.raises(InvalidInput) as too_early:
        await configured.slots.move(GUILD_ID, third, TEAM, MoveTarget(date_text="20/03/2027", time_text="10:00"))
    assert too_early.value.key == "error.series.before"


async def test_a_cancelled_session_no_longer_holds_the_dates_after_it(configured: Services) -> None:
    home = (await approved_series(configured, sessions=2)).id
    _, second = await numbers(configured, home)
    await book_next(configured, home, "15/03/2027")
    await book_next(configured, home, "22/03/2027")
    await configured.sessions.cancel(GUILD_ID, home, TEAM, "Intervenante malade")
    moved = await configured.slots.move(GUILD_ID, second, TEAM, MoveTarget(date_text="10/03/2027", time_text="10:00"))
    assert moved.fabrique.id == second


async def test_seance_names_a_session_and_a_wrong_one_is_refused(configured: Services) -> None:
    home = (await approved_series(configured)).id
    first, second, third = await numbers(configured, home)
    assert [await configured.series.resolve(GUILD_ID, home, rank, Default.HOME) for rank in (1, 2, 3)] == [
        first,
        second,
        third,
    ]
    assert await configured.series.resolve(GUILD_ID, second, 3, Default.HOME) == third  # from any session's number
    assert await configured.series.resolve(GUILD_ID, third, None, Default.NEXT_UNBOOKED) == third  # as typed
    for wrong in (4, 0):
        with pytest.raises(NotFound) as refused:
            await configured.series.resolve(GUILD_ID, home, wrong, Default.HOME)
        assert refused.value.key == "error.series.no_session" and refused.value.params["size"] == 3


async def test_a_single_fabrique_has_only_session_one(configured: Services) -> None:
    single = (await approved_fabrique(configured)).id
    for default in Default:
        assert await configured.series.resolve(GUILD_ID, single, None, default) == single
    assert await configured.series.resolve(GUILD_ID, single, 1, Default.HOME) == single
    with pytest.raises(NotFound) as refused:
        await configured.series.resolve(GUILD_ID, single, 2, Default.HOME)
    assert refused.value.key == "error.series.no_session"


async def test_defaults_follow_the_series_as_it_lives(configured: Services, clock: FakeClock) -> None:
    home = (await approved_series(configured)).id
    first, second, third = await numbers(configured, home)
    assert await configured.series.resolve(GUILD_ID, home, None, Default.NEXT_TO_COME) == first  # nothing dated yet
    await book_next(configured, home, "15/03/2027")
    await book_next(configured, home, "22/03/2027")
    assert await configured.series.resolve(GUILD_ID, home, None, Default.NEXT_TO_COME) == first
    assert await configured.series.resolve(GUILD_ID, home, None, Default.OWING) == home  # nothing owed yet
    clock.advance(days=16)  # session 1 is past: the next to come is session 2
    assert await configured.series.resolve(GUILD_ID, home, None, Default.NEXT_TO_COME) == second
    assert await configured.series.resolve(GUILD_ID, home, None, Default.HOME) == home
    assert await configured.series.resolve(GUILD_ID, home, None, Default.NEXT_UNBOOKED) == third


# --- steering the series as a whole ---------------------------------------------------------------------------------


async def test_a_correction_of_any_session_corrects_the_series_on_its_first_session(configured: Services) -> None:
    home = (await approved_series(configured)).id
    _, second, third = await numbers(configured, home)
    await book_next(configured, home, "15/03/2027", seance=2)  # places belong to a series with a date booked
    record = await configured.sessions.get(GUILD_ID, home)
    text = ProposalText("Écrire ensemble", record.description, record.speaker, record.needs)
    corrected = await configured.corrections.correct(GUILD_ID, third, TEAM, text, People(places=8))
    assert corrected.fabrique.id == home and corrected.fabrique.capacity == 8
    for number in (second, third):
        session = await configured.sessions.get(GUILD_ID, number)
        assert session.title == "Écrire ensemble" and session.revision == 1  # the series' versions are the first's
    (edit,) = await configured.corrections.recent(home)
    assert edit.version == corrected.fabrique.revision


async def test_the_length_of_a_series_cannot_change_once_one_session_is_booked(configured: Services) -> None:
    home = (await approved_series(configured)).id
    _, second, _ = await numbers(configured, home)
    await book_next(configured, home, "15/03/2027", seance=2)
    with pytest.raises(InvalidInput) as refused:
        await configured.corrections.edit(GUILD_ID, home, ALICE, replace(DRAFT, duration_minutes=90))
    assert refused.value.key == "error.correct.duration_booked"
    assert (await configured.sessions.get(GUILD_ID, second)).duration_minutes == DRAFT.duration_minutes


async def test_places_given_when_booking_a_later_session_are_the_series_places(configured: Services) -> None:
    home = (await approved_series(configured)).id
    await book_next(configured, home, "15/03/2027")
    second = await configured.series.resolve(GUILD_ID, home, None, Default.NEXT_UNBOOKED)
    slot = await add_slot(configured, "22/03/2027", "14:00", 180)
    await configured.slots.book(GUILD_ID, second, slot.id, ALICE, capacity=6)
    assert (await configured.sessions.get(GUILD_ID, home)).capacity == 6


async def test_an_approved_series_is_withdrawn_whole_but_not_once_a_session_is_booked(configured: Services) -> None:
    home = (await approved_series(configured)).id
    sessions = await numbers(configured, home)
    withdrawn = await configured.proposals.withdraw(GUILD_ID, sessions[1], ALICE)  # any session's number
    assert withdrawn.id == home
    assert [(await configured.sessions.get(GUILD_ID, n)).state for n in sessions] == [State.WITHDRAWN] * 3

    other = (await approved_series(configured)).id
    await book_next(configured, other, "15/03/2027", seance=3)
    with pytest.raises(InvalidState) as refused:
        await configured.proposals.withdraw(GUILD_ID, other, ALICE)
    assert refused.value.key == "error.state.withdraw"
    assert (await configured.sessions.get(GUILD_ID, other)).state is State.APPROVED  # nothing changed


async def test_cancelling_a_series_without_seance_means_the_whole_series(configured: Services) -> None:
    home = (await approved_series(configured)).id
    _, second, third = await numbers(configured, home)
    await book_next(configured, home, "15/03/2027")
    assert await configured.series.to_cancel(GUILD_ID, home, None) == CancelPlan(home, whole=True)
    assert await configured.series.to_cancel(GUILD_ID, second, None) == CancelPlan(second, whole=False)
    assert await configured.series.to_cancel(GUILD_ID, home, 2) == CancelPlan(second, whole=False)
    assert await configured.series.to_cancel(GUILD_ID, home, 3) == CancelPlan(third, whole=False)
    single = (await approved_fabrique(configured)).id
    assert await configured.series.to_cancel(GUILD_ID, single, None) == CancelPlan(single, whole=False)


async def test_members_and_autocomplete_see_a_series_once(configured: Services) -> None:
    home = (await approved_series(configured)).id
    single = (await approved_fabrique(configured)).id
    await book_next(configured, home, "15/03/2027", seance=2)
    mine = await configured.proposals.mine(GUILD_ID, ALICE.user_id)
    assert [(m.fabrique.id, m.series and (m.series.programmed, m.series.size)) for m in mine] == [
        (single, None),
        (home, (1, 3)),
    ]
    assert [r.id for r in await configured.proposals.list_for_member(GUILD_ID, ALICE.user_id)] == [single, home]
    assert [r.id for r in await configured.slots.suggest_fabriques(GUILD_ID, ALICE)] == [single, home]
    assert [r.id for r in await configured.slots.suggest_fabriques(GUILD_ID, TEAM)] == [home, single]
    editable = await configured.proposals.suggest(GUILD_ID, ALICE.user_id, editable_only=True)
    assert [r.id for r in editable] == [single, home]
    assert await configured.proposals.mine(GUILD_ID, BOB.user_id) == []


async def test_only_the_organizer_or_the_team_books_a_session_of_a_series(configured: Services) -> None:
    home = (await approved_series(configured)).id
    session = await configured.series.resolve(GUILD_ID, home, 2, Default.NEXT_UNBOOKED)
    slot = await add_slot(configured, "15/03/2027", "14:00", 180)
    with pytest.raises(Forbidden):
        await configured.slots.book(GUILD_ID, session, slot.id, BOB)
    booked = await configured.slots.book(GUILD_ID, session, slot.id, TEAM)
    assert (booked.fabrique.id, booked.fabrique.state) == (session, State.SCHEDULED)


async def test_two_sessions_booked_at_the_same_instant_never_cross(configured: Services) -> None:
    """Each booking alone keeps the order (session 2 on the 29th, session 3 on the 22nd, both after session 1); the
    first session's lock makes the second one see the first's date and refuse."""
    home = (await approved_series(configured)).id
    await book_next(configured, home, "15/03/2027")
    _, second, third = await numbers(configured, home)
    late, early = await add_slot(configured, "29/03/2027"), await add_slot(configured, "22/03/2027")
    results = await asyncio.gather(
        configured.slots.book(GUILD_ID, second, late.id, ALICE),
        configured.slots.book(GUILD_ID, third, early.id, ALICE),
        return_exceptions=True,
    )
    refused = [result for result in results if isinstance(result, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], InvalidInput)
    assert refused[0].key in ("error.series.before", "error.series.after")
    progress = await configured.series.progress(GUILD_ID, home)
    assert progress is not None
    starts = [session.starts_at for session in progress.sessions if session.starts_at is not None]
    assert len(starts) == 2 and starts == sorted(starts)
