"""A generated year of held sessions, written to the database as the workflow leaves it, with what the bilan must say.

The rows are written directly (sessions held, registrations, the « documented » transition, the article's link,
the organizers' stored names): driving hundreds of sessions through every step of the workflow would make the
stories minutes long, and the bilan only reads what those steps leave. ``expected`` is computed independently of
``bot.domain.bilan``: the spreadsheet rows a reader must find, in date order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.db.models import (
    AuditRow,
    CoorganizerRow,
    DocumentationRow,
    FabriqueRow,
    MemberNameRow,
    RegistrationRow,
)
from bot.domain.documentation import JobStatus, Path3P
from bot.domain.lifecycle import Action, State
from bot.domain.proposal import FabriqueKind, Format, Parcours
from bot.domain.registration import Source, Status

PARIS = ZoneInfo("Europe/Paris")
FORMAT_FR = {
    Format.ATELIER: "Atelier",
    Format.ARPENTAGE: "Arpentage",
    Format.FOCUS_GROUP: "Focus group",
    Format.LIVING_LAB: "Living lab",
    Format.GROUPE_DE_TRAVAIL: "Groupe de travail",
    Format.AUTRE: "Autre",
}
ORGANIZERS = {810000000000000001 + i: f"Membre {i}" for i in range(8)}


@dataclass
class History:
    """What was written, as the bilan should read it back."""

    rows: list[list[str]]  # the spreadsheet rows (as CSV text), in date order
    held: int  # Fabriques held (welcome sessions apart)
    welcome: int
    series_sessions: int
    series: int
    seated: int
    documented: int


async def write_year(
    engine: AsyncEngine, guild_id: int, year: int, sessions: int, *, seed: int = 16, deadline_days: int = 14
) -> History:
    """About ``sessions`` held sessions spread over ``year``: singles, series of three, welcome sessions, some with
    Zoom's attendance, most documented, one title that would be a formula."""
    rng = random.Random(seed)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    history = History([], 0, 0, 0, 0, 0, 0)
    starts = sorted(
        datetime(year, 1, 3, 9, tzinfo=PARIS) + timedelta(days=rng.uniform(0, 355)) for _ in range(sessions)
    )
    expected: list[tuple[datetime, int, list[str]]] = []
    async with maker() as db:
        for user_id, name in ORGANIZERS.items():  # merged: a second year written on the same database keeps them
            await db.merge(MemberNameRow(guild_id=guild_id, user_id=user_id, display_name=name, updated_at=_now()))
        index = 0
        while index < len(starts):
            size = 3 if index % 7 == 3 and index + 3 <= len(starts) else 1
            welcome = size == 1 and index % 10 == 9
            home, first, series_seated, coorganizer = None, None, 0, None
            for rank in range(1, size + 1):
                start = starts[index].replace(minute=0, second=0, microsecond=0).astimezone(UTC)
                index += 1
                row = _session(rng, guild_id, start, welcome=welcome, home=home, rank=rank, size=size, n=index)
                if rank > 1 and first is not None:  # a series' sessions share what the proposal said (series.py)
                    for name in ("organizer_id", "format", "parcours", "title", "duration_minutes", "capacity"):
                        setattr(row, name, getattr(first, name))
                    row.ends_at = start + timedelta(minutes=row.duration_minutes)
                    if coorganizer and coorganizer != row.organizer_id:
                        row.coorganizers = [CoorganizerRow(user_id=coorganizer)]
                db.add(row)
                await db.flush()
                if rank == 1:
                    home, first = row.id, row
                    if size > 1:  # the first session of a series carries its own number as the series'
                        row.series_id = row.id
                    coorganizer = rng.choice([None, *ORGANIZERS]) if not welcome else None
                    if coorganizer and coorganizer != row.organizer_id:
                        db.add(CoorganizerRow(fabrique_id=row.id, user_id=coorganizer))
                    seated = rng.randrange(0, row.capacity + 1) if row.capacity else rng.randrange(0, 15)
                    waitlisted = rng.randrange(0, 4) if row.capacity and seated == row.capacity else 0
                    db.add_all(_registrations(row.id, seated, waitlisted, start))
                    series_seated, series_waitlisted = seated, waitlisted
                    names = ", ".join(
                        ORGANIZERS[u]
                        for u in [
                            row.organizer_id,
                            *([coorganizer] if coorganizer and coorganizer != row.organizer_id else []),
                        ]
                    )
                if row.zoom_participants is not None:  # Zoom counts who came: at most those seated, usually fewer
                    row.zoom_participants = min(row.zoom_participants, series_seated)
                documented_at = None
                if not welcome and rng.random() < 0.8:
                    documented_at = row.ends_at + timedelta(days=rng.uniform(0.2, 2.2 * deadline_days))  # type: ignore[operator]
                    _document(db, row, documented_at)
                    history.documented += 1
                    row.state = State.DOCUMENTED
                await db.flush()
                number = f"n°{row.id}" if size == 1 else f"n°{home} · séance {rank}/{size}"
                local = start.astimezone(PARIS)
                cells = [
                    number,
                    "'" + row.title if row.title.startswith("=") else row.title,
                    FORMAT_FR[row.format],
                    "Accueil"
                    if welcome
                    else (
                        "Classique (quelques jours de préparation)"
                        if row.parcours is Parcours.CLASSIQUE
                        else "Express (atelier 3P prêt à produire)"
                    ),
                    names,
                    f"{local:%d/%m/%Y %H:%M}",
                    str(row.duration_minutes),
                    str(row.capacity),
                    str(series_seated),
                    str(series_waitlisted),
                    "" if row.zoom_participants is None else str(row.zoom_participants),
                    f"{documented_at.astimezone(PARIS):%d/%m/%Y}" if documented_at else "",
                    f"https://tmnlab.example/fabrique-{row.id}" if documented_at else "",
                ]
                expected.append((start, row.id, cells))
                history.welcome += welcome
                history.held += not welcome
                history.series_sessions += size > 1
                history.seated += 0 if welcome else series_seated
            history.series += size > 1
        await db.commit()
    history.rows = [cells for _, _, cells in sorted(expected, key=lambda item: (item[0], item[1]))]
    return history


def _session(
    rng: random.Random, guild_id: int, start: datetime, *, welcome: bool, home: int | None, rank: int, size: int, n: int
) -> FabriqueRow:
    duration = 30 if welcome else rng.choice([90, 120, 150])
    title = '=HYPERLINK("http://evil")' if n == 1 else f"Fabrique {n} : « tiers-lieux »"
    return FabriqueRow(
        guild_id=guild_id,
        organizer_id=rng.choice(list(ORGANIZERS)),
        format=Format.AUTRE if welcome else rng.choice(list(Format)),
        parcours=Parcours.EXPRESS if welcome else rng.choice(list(Parcours)),
        duration_minutes=duration,
        title="Accueil des nouveaux membres" if welcome else title,
        description="…",
        state=State.HELD if welcome else State.DOCUMENTATION_DUE,
        created_at=start - timedelta(days=30),
        updated_at=start,
        kind=FabriqueKind.WELCOME if welcome else FabriqueKind.FABRIQUE,
        starts_at=start,
        ends_at=start + timedelta(minutes=duration),
        capacity=rng.choice([0, 8, 12, 20]),
        zoom_participants=rng.choice([None, rng.randrange(0, 16)]),
        series_id=home if size > 1 and rank > 1 else None,
        series_rank=rank,
        series_size=size,
    )


def _registrations(fabrique_id: int, seated: int, waitlisted: int, start: datetime) -> list[RegistrationRow]:
    return [
        RegistrationRow(
            fabrique_id=fabrique_id,
            user_id=820000000000000000 + i,
            status=Status.CONFIRMED if i < seated else Status.WAITLISTED,
            source=Source.BUTTON,
            created_at=start - timedelta(days=3),
        )
        for i in range(seated + waitlisted)
    ]


def _document(db: object, row: FabriqueRow, at: datetime) -> None:
    db.add(  # type: ignore[attr-defined]
        AuditRow(
            fabrique_id=row.id, actor_id=1, action=Action.PUBLISH, from_state=State.DOCUMENTING,
            to_state=State.DOCUMENTED, at=at,
        )
    )  # fmt: skip
    db.add(  # type: ignore[attr-defined]
        DocumentationRow(
            fabrique_id=row.id, path=Path3P.CLASSIQUE, status=JobStatus.PUBLISHED, requested_by=row.organizer_id,
            wp_post_link=f"https://tmnlab.example/fabrique-{row.id}", created_at=at, updated_at=at,
        )
    )  # fmt: skip


def _now() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)
