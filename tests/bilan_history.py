"""A year of held sessions as the bilan must read it back (``Held``, ``History``), and a direct writer of one.

``Held`` is one session as it happened — what its spreadsheet row must say, computed here independently of
``bot.domain.bilan``; ``History`` sums them up. Two generators make them: the SimCord stories live a year through
the bot (tests/behaviour/bilan_year.py), and ``write_year`` below writes the rows directly, as the workflow leaves
them (sessions held, registrations, the « documented » transition, the article's link, the organizers' stored
names), for the sizes no story could live through in reasonable time: the benchmark's 2,000 sessions
(benchmarks/bilan.py) and the unit tests' statement counts at 5 and 200 sessions.
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
PARCOURS_FR = {
    Parcours.CLASSIQUE: "Classique (quelques jours de préparation)",
    Parcours.EXPRESS: "Express (atelier 3P prêt à produire)",
}
ORGANIZERS = {810000000000000001 + i: f"Membre {i}" for i in range(8)}


@dataclass(frozen=True)
class Held:
    """One held session as it happened: what its row in the bilan's spreadsheet must say."""

    number: int
    home: int  # a series' first session (the session itself when single)
    rank: int
    size: int  # 1: a single session
    title: str
    format: Format
    parcours: Parcours
    welcome: bool
    organizers: list[str]  # display names, organizer first
    start: datetime
    duration: int
    places: int
    seated: int
    waitlisted: int
    attended: int | None  # who Zoom counted, when it told
    documented_at: datetime | None
    link: str | None  # the article's

    def row(self) -> list[str]:
        """The row as the CSV says it (a title that would be a formula is quoted)."""
        return [
            f"n°{self.number}" if self.size == 1 else f"n°{self.home} · séance {self.rank}/{self.size}",
            "'" + self.title if self.title.startswith("=") else self.title,
            FORMAT_FR[self.format],
            "Accueil" if self.welcome else PARCOURS_FR[self.parcours],
            ", ".join(self.organizers),
            f"{self.start.astimezone(PARIS):%d/%m/%Y %H:%M}",
            str(self.duration),
            str(self.places),
            str(self.seated),
            str(self.waitlisted),
            "" if self.attended is None else str(self.attended),
            f"{self.documented_at.astimezone(PARIS):%d/%m/%Y}" if self.documented_at else "",
            self.link or "",
        ]


@dataclass
class History:
    """What happened, as the bilan should read it back."""

    rows: list[list[str]]  # the spreadsheet rows (as CSV text), in date order
    held: int  # Fabriques held (welcome sessions apart)
    welcome: int
    series_sessions: int
    series: int
    seated: int
    documented: int

    @classmethod
    def of(cls, sessions: list[Held]) -> History:
        fabriques = [held for held in sessions if not held.welcome]
        return cls(
            rows=[held.row() for held in sorted(sessions, key=lambda held: (held.start, held.number))],
            held=len(fabriques),
            welcome=len(sessions) - len(fabriques),
            series_sessions=sum(held.size > 1 for held in fabriques),
            series=len({held.home for held in fabriques if held.size > 1}),
            seated=sum(held.seated for held in fabriques),
            documented=sum(held.documented_at is not None for held in fabriques),
        )


async def write_year(
    engine: AsyncEngine, guild_id: int, year: int, sessions: int, *, seed: int = 16, deadline_days: int = 14
) -> History:
    """About ``sessions`` held sessions spread over ``year``: singles, series of three, welcome sessions, some with
    Zoom's attendance, most documented, one title that would be a formula."""
    rng = random.Random(seed)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    starts = sorted(
        datetime(year, 1, 3, 9, tzinfo=PARIS) + timedelta(days=rng.uniform(0, 355)) for _ in range(sessions)
    )
    written: list[Held] = []
    async with maker() as db:
        for user_id, name in ORGANIZERS.items():  # merged: a second year written on the same database keeps them
            await db.merge(MemberNameRow(guild_id=guild_id, user_id=user_id, display_name=name, updated_at=_now()))
        index = 0
        while index < len(starts):
            size = 3 if index % 7 == 3 and index + 3 <= len(starts) else 1
            welcome = size == 1 and index % 10 == 9
            home, first, series_seated, series_waitlisted, names = None, None, 0, 0, [""]
            coorganizer: int | None = None
            for rank in range(1, size + 1):
                start = starts[index].replace(minute=0, second=0, microsecond=0).astimezone(UTC)
                index += 1
                row = _session(rng, guild_id, start, welcome=welcome, home=home, rank=rank, size=size, n=index)
                if rank > 1 and first is not None:  # a series' sessions share what the proposal said (series.py)
                    for name in ("organizer_id", "format", "parcours", "title", "duration_minutes"):
                        setattr(row, name, getattr(first, name))
                    row.capacity = 0  # its places are the first session's (bot.services.slots)
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
                    people = [row.organizer_id, *([coorganizer] if coorganizer not in (None, row.organizer_id) else [])]
                    names = [ORGANIZERS[user_id] for user_id in people if user_id is not None]
                if row.zoom_participants is not None:  # Zoom counts who came: at most those seated, usually fewer
                    row.zoom_participants = min(row.zoom_participants, series_seated)
                documented_at = None
                if not welcome and rng.random() < 0.8:
                    documented_at = row.ends_at + timedelta(days=rng.uniform(0.2, 2.2 * deadline_days))  # type: ignore[operator]
                    _document(db, row, documented_at)
                    row.state = State.DOCUMENTED
                await db.flush()
                assert home is not None
                written.append(
                    Held(
                        number=row.id, home=home, rank=rank, size=size, title=row.title, format=row.format,
                        parcours=row.parcours, welcome=welcome, organizers=names, start=start,
                        duration=row.duration_minutes, places=first.capacity, seated=series_seated,
                        waitlisted=series_waitlisted, attended=row.zoom_participants, documented_at=documented_at,
                        link=f"https://tmnlab.example/fabrique-{row.id}" if documented_at else None,
                    )
                )  # fmt: skip
        await db.commit()
    return History.of(written)


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
