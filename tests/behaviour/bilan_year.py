"""A year of Fabriques lived through the bot in SimCord, for the bilan's stories: what the team and the members do
(commands, buttons, the registration service), SimCord's clock moved from one moment to the next so the due work
runs as it would (reminders, the end of each session, Zoom's attendance read by the recording service), and
what each session left, as ``Held`` rows (tests/bilan_history.py) computed from what was done here, never from
``bot.domain.bilan``.

The Zoom-shaped server (tests/integration/zoom_fake.py) hosts the meetings the bot creates at each booking and
gives the participants of those the plan says Zoom counted; ``Website`` stands in for WordPress, which gives each
published article its link. A year of 40 sessions takes about a minute of this machine: every session is
proposed, approved, booked, announced, registered for, held and (mostly) documented and published. The
welcome sessions come from the team's rule (set, then stopped at once: one session each time).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import simcord

from bot.app import FabriqueBot
from bot.config import BilanSettings, Settings, WordPressSettings
from bot.domain.lifecycle import Actor
from bot.domain.proposal import Format, Parcours
from bot.domain.registration import Source
from bot.integrations.wordpress import WordPressMedia, WordPressPost
from bot.services import Services
from bot.services.records import FabriqueRecord
from bot.services.welcome import RuleChanges
from tests.behaviour.builders import PROPOSAL, add_slot, move_to
from tests.behaviour.conftest import World, build_world, configure, running, said
from tests.behaviour.zoom_world import bot_on_zoom, zoom_settings
from tests.bilan_history import PARIS, Held, History
from tests.conftest import GUILD_ID
from tests.integration.zoom_fake import ZOOM_IDS, FakeZoom, audio_file, participant

FORMATS = {
    Format.ATELIER: "atelier",
    Format.ARPENTAGE: "arpentage",
    Format.FOCUS_GROUP: "focus_group",
    Format.LIVING_LAB: "living_lab",
    Format.GROUPE_DE_TRAVAIL: "groupe_de_travail",
    Format.AUTRE: "autre",
}
FORMULA_TITLE = "=SOMME(A1:A9) ou l'art du tableur"  # would be a formula in a spreadsheet: must stay text
WELCOME_MONTHS = (3, 6, 9)  # a welcome rule set, then stopped, in these months: one session each
SERIES_EVERY = 9  # one Fabrique in nine is a series of three weekly sessions
PEOPLE = 13  # members who register: enough to overflow the most places (10) by three
WELCOME_PLACES, WELCOME_REGISTRANTS = 6, 3


@dataclass
class Website:
    """WordPress as the bot sees it (bot.services.clients.Website): the articles it publishes, each with its link."""

    posts: dict[str, WordPressPost] = field(default_factory=dict)  # by slug
    titles: dict[str, str] = field(default_factory=dict)  # slug → title
    media: int = 0

    async def find_media(self, slug: str) -> WordPressMedia | None:
        return None

    async def upload_media(self, path: Path, filename: str, mime_type: str, *, title: str, slug: str) -> WordPressMedia:
        self.media += 1
        return WordPressMedia(self.media, f"https://tmnlab.example/media/{slug}")

    async def find_post(self, slug: str) -> WordPressPost | None:
        return self.posts.get(slug)

    async def create_post(self, *, title: str, content: str, status: str, slug: str, **fields: object) -> WordPressPost:
        post = WordPressPost(len(self.posts) + 1, f"https://tmnlab.example/?p={len(self.posts) + 1}", status)
        self.posts[slug], self.titles[slug] = post, title
        return post

    async def update_post(self, post_id: int, *, title: str | None = None, **fields: object) -> WordPressPost:
        return next(post for post in self.posts.values() if post.id == post_id)

    async def attach_media(self, media_id: int, post_id: int) -> None:
        return None

    async def category_id(self, name: str) -> int | None:
        return 1

    async def aclose(self) -> None:
        return None

    def link(self, title: str) -> str:
        """The link of the article published under ``title`` (each Fabrique of the year has its own title)."""
        (slug,) = [slug for slug, named in self.titles.items() if named == title]
        return self.posts[slug].link


@dataclass
class Planned:
    """A Fabrique of the year as decided before it happens (a welcome session has no proposal)."""

    title: str
    starts: list[datetime]  # one per session, local
    format: Format
    parcours: Parcours
    duration: int
    places: int
    organizer: simcord.MemberActor
    coorganizer: simcord.MemberActor | None
    registrants: int
    attended: list[int | None]  # per session: how many Zoom counts (None: Zoom gives nothing)
    documented: list[float | None]  # per session: days from the end to the publication (None: never)
    numbers: list[int] = field(default_factory=list)  # filled once proposed and booked


@dataclass
class Year:
    """The world a year is lived in: SimCord with the bot, the Zoom-shaped server, the website."""

    world: World
    settings: Settings
    zoom: FakeZoom
    site: Website

    def bot(self) -> FabriqueBot:
        """A new bot on the same database, Zoom and website: after a restart."""
        return bot_on_zoom(self.settings, self.zoom, wordpress=lambda: self.site)


@asynccontextmanager
async def year_world(tmp_path: Path, *, monthly: bool = False) -> AsyncIterator[Year]:
    """The bot on Zoom and WordPress in SimCord, configured; ``monthly``: the monthly post on (off, a year of
    stories would fill the team channel with eleven images)."""
    site = Website()
    async with FakeZoom(**ZOOM_IDS) as zoom:
        base = zoom_settings(tmp_path, zoom)
        settings = base.model_copy(
            update={
                "wordpress": WordPressSettings(enabled=True, url="https://tmnlab.example", username="fabrique"),
                "bilan": BilanSettings(monthly=monthly),
            }
        )
        async with running(bot_on_zoom(settings, zoom, wordpress=lambda: site), settle_timeout=10.0) as env:
            zoom.clock = env.now
            world = build_world(env)
            await configure(world)
            yield Year(world, settings, zoom, site)


class YearStory:
    """Lives the plan's events in time order, each at its moment on SimCord's clock."""

    def __init__(self, year: Year, seed: int) -> None:
        self.year = year
        self.world = year.world
        self.rng = random.Random(seed)
        guild, role = self.world.guild, self.world.member_role
        env = self.world.env
        self.organizers = [
            self.world.alice,
            self.world.bob,
            *(guild.add_member(env.create_user(name), roles=[role]) for name in ("chloé", "driss")),
        ]
        self.people = [guild.add_member(env.create_user(f"membre-{i}"), roles=[role]) for i in range(PEOPLE)]
        self.published: dict[int, datetime] = {}  # session → when its article was published
        self.welcomes: list[FabriqueRecord] = []

    @property
    def services(self) -> Services:
        return self.world.env.bot.services

    # --- the plan ---------------------------------------------------------------------------------------------

    def plan(self, first: date, last: date, sessions: int, *, within: float = 30) -> list[Planned]:
        """About ``sessions`` Fabrique sessions between two days, every few days at 14:00 (a series' at 18:30,
        weekly, so nothing overlaps): formats, parcours, places that fill or overflow, Zoom's count or none,
        documentation within days, late (up to ``within`` days after the end) or never."""
        plans: list[Planned] = []
        day, count = first, 0
        while count < sessions and day <= last:
            size = 3 if len(plans) % SERIES_EVERY == 4 else 1
            at = time(18, 30) if size > 1 else time(14)
            starts = [datetime.combine(day + timedelta(weeks=week), at, tzinfo=PARIS) for week in range(size)]
            plans.append(self._planned(len(plans), starts, within))
            count += size
            day += timedelta(days=(7 * size if size > 1 else self.rng.randint(4, 9)))
        return plans

    def _planned(self, index: int, starts: list[datetime], within: float) -> Planned:
        rng = self.rng
        organizer = rng.choice(self.organizers)
        places = rng.choice([4, 6, 10])
        registrants = rng.randint(0, places + 3)  # more than the places: a waitlist
        seated = min(registrants, places)
        return Planned(
            title=FORMULA_TITLE if index == 1 else f"Fabrique {index + 1} : « tiers-lieux » et communs",
            starts=starts,
            format=rng.choice([fmt for fmt in Format if fmt is not Format.AUTRE]),
            parcours=rng.choice(list(Parcours)),
            duration=rng.choice([90, 120, 150]),
            places=places,
            organizer=organizer,
            coorganizer=rng.choice([None, None, *[o for o in self.organizers if o is not organizer]]),
            registrants=registrants,
            attended=[rng.randint(1, seated) if seated and rng.random() < 0.6 else None for _ in starts],
            documented=[rng.choice([None, *[rng.uniform(0.5, within) for _ in range(4)]]) for _ in starts],
        )

    # --- living it --------------------------------------------------------------------------------------------

    async def live(self, plans: list[Planned], welcome_months: tuple[int, ...] = WELCOME_MONTHS) -> History:
        events: list[tuple[datetime, int, Callable[[], Awaitable[None]]]] = []
        for plan in plans:
            events.append((plan.starts[0] - timedelta(days=10), len(events), self._prepare(plan)))
            for rank, start in enumerate(plan.starts):
                delay = plan.documented[rank]
                if delay is not None:
                    done = start + timedelta(minutes=plan.duration, days=delay)
                    events.append((done, len(events), self._document(plan, rank)))
        year = plans[0].starts[0].year
        for month in welcome_months:
            events.append((datetime(year, month, 2, 9, tzinfo=PARIS), len(events), self._welcome()))
        for moment, _, step in sorted(events, key=lambda event: (event[0], event[1])):
            if moment > self.world.env.now():
                await move_to(self.world, moment.astimezone(UTC))
            await step()
        last = max(start + timedelta(days=2) for plan in plans for start in plan.starts)
        await move_to(self.world, max(last, self.world.env.now()).astimezone(UTC))  # the last one held, Zoom asked
        return History.of([*self._fabriques(plans), *map(self._welcome_held, self.welcomes)])

    def _fabriques(self, plans: list[Planned]) -> list[Held]:
        return [
            Held(
                number=number, home=plan.numbers[0], rank=rank + 1, size=len(plan.starts), title=plan.title,
                format=plan.format, parcours=plan.parcours, welcome=False,
                organizers=[names.member.display_name for names in (plan.organizer, plan.coorganizer) if names],
                start=plan.starts[rank], duration=plan.duration, places=plan.places,
                seated=min(plan.registrants, plan.places), waitlisted=max(plan.registrants - plan.places, 0),
                attended=plan.attended[rank], documented_at=self.published.get(number),
                link=self.year.site.link(plan.title) if number in self.published else None,
            )
            for plan in plans
            for rank, number in enumerate(plan.numbers)
        ]  # fmt: skip

    def _welcome_held(self, record: FabriqueRecord) -> Held:
        """A welcome session the rule made: the team's, never documented, Zoom not asked for a count."""
        assert record.starts_at is not None
        return Held(
            number=record.id, home=record.id, rank=1, size=1, title=record.title, format=Format.AUTRE,
            parcours=Parcours.EXPRESS, welcome=True, organizers=[self.world.moderator.member.display_name],
            start=record.starts_at, duration=record.duration_minutes, places=WELCOME_PLACES,
            seated=WELCOME_REGISTRANTS, waitlisted=0, attended=None, documented_at=None, link=None,
        )  # fmt: skip

    def _prepare(self, plan: Planned) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            await self._propose(plan)
            for rank in range(len(plan.starts)):
                await self._book(plan, rank)
            for person in self.people[: plan.registrants]:
                await self.services.registrations.join(GUILD_ID, plan.numbers[0], Actor(person.id), Source.BUTTON)

        return step

    async def _propose(self, plan: Planned) -> None:
        world = self.world
        options: dict[str, object] = {"format": FORMATS[plan.format], "parcours": plan.parcours.value}
        if plan.coorganizer is not None:
            options["coorganisateur"] = plan.coorganizer
        if len(plan.starts) > 1:
            options["sessions"] = len(plan.starts)
        shown = await plan.organizer.slash(world.general, "fabrique proposer", duree=plan.duration, **options)
        assert shown.modal is not None, shown
        values = {**PROPOSAL, "titre": plan.title} | ({"rythme": "chaque semaine"} if len(plan.starts) > 1 else {})
        proposed = said(await plan.organizer.submit_modal(shown, values)).content
        assert "n°" in proposed, proposed
        home = int(proposed.split("n°")[1].split("**")[0])
        await world.moderator.click(world.team_channel.last_message, label="Approuver")
        plan.numbers = [home, *(s.id for s in (await self.services.sessions.series(home))[1:])]

    async def _book(self, plan: Planned, rank: int) -> None:
        world, start = self.world, plan.starts[rank]
        slot = await add_slot(world, f"{start:%d/%m/%Y}", f"{start:%H:%M}", plan.duration)
        options = {"places": plan.places} if rank == 0 else {}
        known = set(self.year.zoom.meetings)
        booked = await plan.organizer.slash(
            world.general, "fabrique reserver", fabrique=plan.numbers[0], creneau=slot, **options
        )
        assert "annoncée" in said(booked).content, said(booked).content
        (meeting,) = set(self.year.zoom.meetings) - known
        counted = plan.attended[rank]
        if counted is not None:  # Zoom will list the recording and who came, read by the recording service
            people = [participant(f"Personne {i}", 60 + i, user_id=f"zoom-{i}") for i in range(counted)]
            self.year.zoom.add_recording(meeting, [audio_file(b"\0" * 1000)], participants=people)

    def _document(self, plan: Planned, rank: int) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            organizer, number = plan.organizer, plan.numbers[0]
            options = {"seance": rank + 1} if len(plan.starts) > 1 else {}
            shown = await organizer.slash(
                self.world.general, "fabrique documenter", fabrique=number, chemin="express", **options
            )
            assert shown.modal is not None, shown
            await organizer.submit_modal(shown, {"compte_rendu": "Nous avons produit une fiche.", "ressources": ""})
            await self.world.env.settle(timeout=30)
            ready = self.world.dms(organizer)[-1]
            assert "est prête" in ready.content, ready.content
            published = await organizer.user.click(ready, label="Publier")
            assert "Publié" in said(published).content, said(published).content
            self.published[plan.numbers[rank]] = self.world.env.now()

        return step

    def _welcome(self) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            team = Actor(self.world.moderator.id, is_team=True)
            welcome = self.services.welcome
            changes = RuleChanges(weekday=2, ordinal=1, at="12:30", capacity=WELCOME_PLACES, ahead=1)
            (made,) = (await welcome.set_rule(GUILD_ID, team, changes)).made  # the next first Wednesday
            await welcome.stop(GUILD_ID, team)
            for person in self.people[:WELCOME_REGISTRANTS]:
                await self.services.registrations.join(GUILD_ID, made.id, Actor(person.id), Source.BUTTON)
            self.welcomes.append(made)

        return step
