"""The whole life of one Fabrique, played in a simulated Discord (SimCord) with the real bot.

Used twice: by ``python -m bot demo`` (integrations off, a French transcript on screen, the produced files left in
a folder) and by ``tests/behaviour/test_journey.py`` (every integration on, each step checked). The script acts the
way people do: slash commands, modals, buttons, reactions; time moves on SimCord's clock.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import simcord

from bot.app import FabriqueBot
from bot.config import DatabaseSettings, DiscordSettings, GeneralSettings, Settings
from bot.services.series import Default
from demo.simcord_cdn import bot_on_simcord_cdn

GUILD_ID = 424242424242424242
ZOOM_LINK = "https://us02web.zoom.us/j/81234567890?pwd=demo"
NOTES = (
    "Idées clés : mutualiser les outils de billetterie, **documenter** les usages.\n"
    "00:00:05 Ouverture et tour de table\n"
    "00:00:20 Atelier en sous-groupes\n"
    "Références : https://www.tmnlab.com/ressources"
)


@dataclass
class JourneyResult:
    """What happened, for the test to check and the demo to show."""

    fabrique_id: int = 0
    seated: int = 0
    waitlisted: int = 0
    promoted_dm: str = ""
    reminders_24h: int = 0
    reminders_1h: int = 0
    recap_prompt: str = ""
    documentation_message: str = ""
    forum_post: str = ""
    chasers_after_publication: int = 0
    follow_up: str = ""
    files: dict[str, Path] = field(default_factory=dict)
    state: str = ""
    series_dates: list[str] = field(default_factory=list)  # the lines of the series' one announcement
    series_announcements: int = 0
    series_reminders: list[int] = field(default_factory=list)  # per session, how many were reminded (24 h)
    series_thread: list[str] = field(default_factory=list)  # the first line of each message of its forum thread


def said(result: simcord.InteractionResult) -> str:
    message = result.followups[-1] if result.followups else result.response
    return message.content if message is not None else ""


# What the bot writes when it gives a new number (« proposition **n°3** », « Créneau **n°7** ouvert »). A refusal
# also names numbers (« chevauche le créneau n°1 du … ») but never in bold, so it cannot be taken for a new one.
NEW_NUMBER = re.compile(r"\*\*n°(\d+)\*\*")


def new_number(reply: str) -> int:
    """The number the bot just gave; a refusal stops the journey with what the bot said."""
    found = NEW_NUMBER.search(reply)
    if found is None:
        raise RuntimeError(f"the bot refused a step of the journey: {reply}")
    return int(found.group(1))


def make_recording(target: Path, seconds: int = 40) -> bytes:
    """A short real M4A with a speech-like rhythm (ffmpeg), standing in for the Zoom recording."""
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi",
            "-i", f"sine=frequency=200:duration={seconds}", "-af", "volume=0.25,tremolo=f=4:d=0.8",
            "-ac", "1", "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(target),
        ],
        check=True,
    )  # fmt: skip
    return target.read_bytes()


class Journey:
    def __init__(
        self,
        settings: Settings,
        workdir: Path,
        say: Callable[[str], None] = lambda _: None,
        *,
        zoom_is_automatic: bool = False,
    ) -> None:
        self.settings = settings
        self.workdir = workdir
        self.say = say
        self.zoom_is_automatic = zoom_is_automatic
        self.result = JourneyResult()

    def new_bot(self) -> FabriqueBot:
        return bot_on_simcord_cdn(self.settings)

    async def run(self) -> JourneyResult:
        async with simcord.run(self.new_bot(), settle_timeout=15.0) as env:
            self.env = env
            await self._cast()
            await self._propose_and_moderate()
            await self._book_and_announce()
            await self._register()
            await self._remind_with_a_restart()
            await self._end_and_document()
            await self._after_publication()
            await self._series()
        return self.result

    # --- the people and the places ---------------------------------------------------------------------------

    async def _cast(self) -> None:
        env = self.env
        guild = env.create_guild("TMNlab", id=GUILD_ID)
        admin_role = guild.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
        self.team_role = guild.create_role("Équipe")
        self.member_role = guild.create_role("Membre")
        self.guild = guild
        self.team_channel = guild.create_text_channel("equipe")
        self.agenda = guild.create_text_channel("agenda")
        self.general = guild.create_text_channel("general")
        self.forum = guild.create_forum_channel("articles")
        self.admin = guild.add_member(env.create_user("Dominique"), roles=[admin_role, self.member_role])
        self.camille = guild.add_member(env.create_user("Camille"), roles=[self.team_role, self.member_role])
        self.alice = guild.add_member(env.create_user("Alice"), roles=[self.member_role])
        self.members = [
            guild.add_member(env.create_user(f"membre{n:02d}"), roles=[self.member_role]) for n in range(1, 31)
        ]
        self.say("🏛️  Serveur « TMNlab » : rôles Équipe et Membre, salons #equipe, #agenda, forum #articles.")
        result = await self.admin.slash(
            self.general,
            "equipe configurer",
            role_equipe=self.team_role,
            role_membre=self.member_role,
            salon_equipe=self.team_channel,
            salon_agenda=self.agenda,
            forum_articles=self.forum,
        )
        self.say(f"👤 Dominique (admin) /equipe configurer → 🤖 {said(result)}")

    # --- proposal and moderation ------------------------------------------------------------------------------

    async def _propose_and_moderate(self) -> None:
        shown = await self.alice.slash(
            self.general, "fabrique proposer", format="atelier", parcours="classique", duree=120
        )
        draft = {
            "titre": "Billetterie : mutualiser nos outils",
            "description": "Comparer nos outils de billetterie et écrire une fiche de choix commune.",
            "intervenant": "",
            "besoins": "Un tableau Klaxoon",
        }
        result = await self.alice.submit_modal(shown, draft)
        self.result.fabrique_id = number = new_number(said(result))
        self.say(f"👤 Alice /fabrique proposer (formulaire rempli) → 🤖 {said(result)}")
        card = self.team_channel.last_message
        self.say(
            f"📋 Carte dans #equipe : « {card.embeds[0].title} » avec Approuver / Demander des modifications / Refuser"
        )
        shown = await self.camille.click(card, label="Demander des modifications")
        await self.camille.submit_modal(shown, {"motif": "Précisez le public visé, s'il vous plaît."})
        self.say(f"👤 Camille (équipe) demande des modifications → 📩 Alice reçoit : {self._last_dm(self.alice)}")
        shown = await self.alice.slash(self.general, "fabrique modifier", fabrique=number)
        draft["description"] = "Pour les chargé·es de billetterie : comparer nos outils et écrire une fiche commune."
        result = await self.alice.submit_modal(shown, draft)
        self.say(f"👤 Alice /fabrique modifier → 🤖 {said(result)}")
        await self.camille.click(self.team_channel.last_message, label="Approuver")
        self.say(f"👤 Camille approuve → 📩 Alice : {self._last_dm(self.alice)}")

    # --- slot, booking, announcement ------------------------------------------------------------------------

    async def _book_and_announce(self) -> None:
        number = self.result.fabrique_id
        day = (self.env.now() + timedelta(days=20)).strftime("%d/%m/%Y")
        result = await self.camille.slash(self.general, "equipe creneau-ajouter", date=day, heure="14:00", duree=150)
        self.say(f"👤 Camille /equipe creneau-ajouter {day} 14:00 150 → 🤖 {said(result)}")
        slot = new_number(said(result))
        if not self.zoom_is_automatic:
            result = await self.camille.slash(self.general, "equipe lien-zoom", fabrique=number, url=ZOOM_LINK)
            self.say(f"👤 Camille /equipe lien-zoom → 🤖 {said(result)}")
        result = await self.alice.slash(self.general, "fabrique reserver", fabrique=number, creneau=slot, places=25)
        self.say(f"👤 Alice /fabrique reserver (25 places) → 🤖 {said(result)}")
        await self.env.settle(timeout=50)
        announcement = self.agenda.last_message
        self.announcement = announcement
        self.say(
            f"📣 Annonce dans #agenda : « {announcement.embeds[0].title} », boutons S'inscrire / Se désinscrire, ✅"
        )
        ics = announcement.attachments[0]
        self.result.files["calendar"] = self._save(ics.filename, await ics.read())

    # --- registrations --------------------------------------------------------------------------------------

    async def _register(self) -> None:
        env = self.env
        for member in self.members:  # thirty people react at once, as when the announcement goes out
            env.backend.set_reaction(self.announcement.channel.id, self.announcement.id, "✅", member.id, True)
        await env.settle(timeout=50)
        await env.advance_time(6)
        places = next(f.value for f in self.agenda.last_message.embeds[0].fields if f.name == "Places")
        self.say(f"✅ 30 membres réagissent → annonce : {places.replace(chr(10), ' ; ')}")
        leaving = self.members[3]
        result = await leaving.click(self.announcement, label="Se désinscrire")
        self.say(f"👤 {leaving.name} se désinscrit → 🤖 {said(result)}")
        promoted = self.members[25]  # the first on the waitlist
        self.result.promoted_dm = self._last_dm(promoted)
        self.say(f"📩 {promoted.name} (1er en liste d'attente) reçoit : {self.result.promoted_dm}")
        await env.advance_time(6)
        places = next(f.value for f in self.agenda.last_message.embeds[0].fields if f.name == "Places")
        self.result.seated = int(places.split(" ")[0])
        self.result.waitlisted = int(places.split("\n")[1].split(" ")[0]) if "\n" in places else 0

    # --- reminders, with a restart in the middle ----------------------------------------------------------

    async def _remind_with_a_restart(self) -> None:
        start = await self._start()
        await self._move_to(start - timedelta(hours=24))
        self.result.reminders_24h = self._count_dms("⏰ Rappel")
        self.say(f"⏰ J-1 : {self.result.reminders_24h} rappels envoyés en message privé, avec le lien Zoom")
        await self.env.restart_bot(self.new_bot())
        self.say("🔄 Le bot redémarre (mise à jour) : rien n'est perdu, rien n'est envoyé deux fois.")
        await self._move_to(start - timedelta(hours=1))
        self.result.reminders_1h = self._count_dms("⏰ Rappel") - self.result.reminders_24h
        self.say(f"⏰ H-1 : {self.result.reminders_1h} nouveaux rappels")

    # --- the end of the session, documentation, publication -----------------------------------------------

    async def _end_and_document(self) -> None:
        number = self.result.fabrique_id
        record = await self.env.bot.services.sessions.get_any(number)
        assert record.ends_at is not None
        await self._move_to(record.ends_at + timedelta(minutes=16))
        self.result.recap_prompt = self._last_dm(self.alice)
        self.say(f"🎬 La session a eu lieu. 📩 Alice : {self.result.recap_prompt.splitlines()[0]}")
        recording = make_recording(self.workdir / "enregistrement-zoom.m4a")
        shown = await self.alice.slash(
            self.general, "fabrique documenter", fabrique=number, enregistrement=("enregistrement.m4a", recording)
        )
        result = await self.alice.submit_modal(shown, {"notes": NOTES, "ressources": "https://www.tmnlab.com/"})
        self.say(f"👤 Alice /fabrique documenter (enregistrement + notes) → 🤖 {said(result)}")
        await self.env.settle(timeout=50)
        message = self.alice.user.dm_channel.history()[-1]
        self.result.documentation_message = message.content
        self.say(f"📩 Alice : {message.content}")
        result = await self.alice.user.click(message, label="Publier")
        await self.env.settle(timeout=50)
        self.say(f"👤 Alice appuie sur « Publier » → 🤖 {said(result)}")
        thread = self.forum.threads[-1]
        starter = thread.history()[-1]
        self.result.forum_post = starter.content
        self.say(f"📖 Forum #articles : « {thread.name} » — {starter.content.splitlines()[0][:120]}…")
        doc = await self.env.bot.services.documentation.get(number)
        audio_dir = self.env.bot.services.documentation.audio_dir
        if doc.audio_name:
            self.result.files["mp3"] = self._copy(audio_dir / doc.audio_name, f"fabrique-{number}.mp3")
        if doc.teaser_name:
            self.result.files["extrait"] = self._copy(audio_dir / doc.teaser_name, f"fabrique-{number}-extrait.mp3")
        self.result.files["article"] = self._save(f"article-fabrique-{number}.html", (doc.article_html or "").encode())

    async def _after_publication(self) -> None:
        record = await self.env.bot.services.sessions.get_any(self.result.fabrique_id)
        assert record.ends_at is not None
        before = self._count_dms("📚")
        await self._move_to(record.ends_at + timedelta(days=15))
        self.result.chasers_after_publication = self._count_dms("📚") - before
        result = await self.camille.slash(self.general, "equipe suivi")
        embed = (result.followups[-1] if result.followups else result.response).embeds[0]
        self.result.follow_up = "\n".join(f"{f.name} : {f.value}" for f in embed.fields)
        self.result.state = (await self.env.bot.services.sessions.get_any(self.result.fabrique_id)).state.value
        self.say(f"📊 Camille /equipe suivi → {embed.fields[0].value.replace(chr(10), ' ; ')}")

    # --- a series: one proposal, three sessions -----------------------------------------------------------

    async def _series(self) -> None:
        """A writing cycle of three sessions: moderated once, one announcement, registered for once, one member
        missing a date, each session reminded and documented on its own, gathered in one forum thread."""
        self.say("")
        self.say("🔁 Une Fabrique en série : un cycle d'écriture en trois séances.")
        number, sessions = await self._propose_series()
        await self._book_series(number)
        announcement = self.agenda.last_message
        self.result.series_announcements = sum(1 for message in self.agenda.history() if message.embeds) - 1
        self.result.series_dates = self._series_dates(announcement)
        self.say("📣 Une seule annonce dans #agenda, toutes les dates : " + " ; ".join(self.result.series_dates))
        for member in self.members[:6]:
            await member.click(announcement, label="S'inscrire")
        self.say("👤 6 membres cliquent « S'inscrire » une fois : les voilà inscrit·es aux trois séances.")
        result = await self.members[0].slash(self.general, "fabrique absence", fabrique=number, seance=2)
        self.say(f"👤 {self.members[0].name} /fabrique absence séance 2 → 🤖 {said(result)}")
        for rank, session in enumerate(sessions, start=1):
            await self._hold_series_session(rank, session)
        thread = self.forum.threads[-1]
        messages = sorted(thread.history(), key=lambda message: message.id)
        self.result.series_thread = [message.content.split("\n")[0] for message in messages]
        self.say(f"📖 Forum #articles : un seul fil « {thread.name} », un message par séance documentée.")

    async def _propose_series(self) -> tuple[int, list[int]]:
        shown = await self.alice.slash(
            self.general, "fabrique proposer", format="atelier", parcours="classique", duree=120, sessions=3
        )
        draft = {
            "titre": "Cycle d'écriture : notre guide de la billetterie",
            "description": "Trois séances pour écrire ensemble le guide, chapitre après chapitre.",
            "intervenant": "",
            "besoins": "",
            "rythme": "toutes les deux semaines",
        }
        result = await self.alice.submit_modal(shown, draft)
        number = new_number(said(result))
        self.say(f"👤 Alice /fabrique proposer sessions:3 (rythme « toutes les deux semaines ») → 🤖 {said(result)}")
        await self.camille.click(self.team_channel.last_message, label="Approuver")
        self.say("👤 Camille approuve la série une seule fois, sur une seule carte.")
        resolve = self.env.bot.services.series.resolve
        return number, [await resolve(GUILD_ID, number, rank, Default.HOME) for rank in (1, 2, 3)]

    async def _book_series(self, number: int) -> None:
        for rank, days in ((1, 20), (2, 34), (3, 48)):
            day = (self.env.now() + timedelta(days=days)).strftime("%d/%m/%Y")
            result = await self.camille.slash(
                self.general, "equipe creneau-ajouter", date=day, heure="18:00", duree=150
            )
            slot = new_number(said(result))
            if not self.zoom_is_automatic:
                await self.camille.slash(self.general, "equipe lien-zoom", fabrique=number, url=ZOOM_LINK, seance=rank)
            result = await self.alice.slash(self.general, "fabrique reserver", fabrique=number, creneau=slot)
            self.say(f"👤 Alice /fabrique reserver (séance {rank}, le {day}) → 🤖 {said(result)}")
        await self.env.settle(timeout=50)

    async def _hold_series_session(self, rank: int, session: int) -> None:
        record = await self.env.bot.services.sessions.get_any(session)
        assert record.starts_at is not None and record.ends_at is not None
        before = self._count_dms("Séance")
        await self._move_to(record.starts_at - timedelta(hours=24))
        reminded = self._count_dms("Séance") - before
        self.result.series_reminders.append(reminded)
        await self._move_to(record.ends_at + timedelta(minutes=16))
        prompt = next(m for m in reversed(self.alice.user.dm_channel.history()) if m.components)
        shown = await self.alice.user.click(prompt, label="Compte-rendu 3P")
        report = f"Séance {rank} : nous avons écrit le chapitre {rank} du guide."
        await self.alice.user.submit_modal(shown, {"compte_rendu": report, "ressources": ""})
        await self.env.settle(timeout=50)
        await self.alice.user.click(self.alice.user.dm_channel.history()[-1], label="Publier")
        await self.env.settle(timeout=50)
        self.say(f"⏰ Séance {rank} : {reminded} rappels la veille ; 🎬 tenue, compte-rendu 3P publié.")

    def _series_dates(self, announcement: discord.Message) -> list[str]:
        when = next(f for f in announcement.embeds[0].fields if (f.name or "").startswith("Quand"))
        return [re.sub(r"<t:(\d+):F>", self._local_date, line) for line in (when.value or "").split("\n")]

    def _local_date(self, match: re.Match[str]) -> str:
        return datetime.fromtimestamp(int(match[1]), UTC).astimezone(self.settings.general.tz).strftime("%d/%m %H:%M")

    # --- helpers ------------------------------------------------------------------------------------------

    async def _start(self) -> datetime:
        record = await self.env.bot.services.sessions.get_any(self.result.fabrique_id)
        assert record.starts_at is not None
        return record.starts_at.astimezone(UTC)

    async def _move_to(self, moment: datetime) -> None:
        await self.env.advance_time(max(0.0, (moment - self.env.now()).total_seconds()))
        await self.env.bot.run_due_work()
        await self.env.settle(timeout=50)

    def _last_dm(self, actor: simcord.MemberActor) -> str:
        history = actor.user.dm_channel.history()
        return history[-1].content if history else ""

    def _count_dms(self, prefix: str) -> int:
        people = [self.alice, self.camille, *self.members]
        return sum(1 for p in people for m in p.user.dm_channel.history() if m.content.startswith(prefix))

    def _save(self, name: str, data: bytes) -> Path:
        target = self.workdir / name
        target.write_bytes(data)
        return target

    def _copy(self, source: Path, name: str) -> Path:
        target = self.workdir / name
        shutil.copyfile(source, target)
        return target


async def run_demo(workdir: Path, say: Callable[[str], None] = print) -> JourneyResult:
    """``python -m bot demo``: the journey with every integration off, narrated in French.

    Each run starts from an empty database, thrown away at the end: SimCord's clock starts on the same day every
    time, so a kept database would already hold the slot the journey opens. The files worth keeping are copied out.
    """
    with tempfile.TemporaryDirectory(prefix="fabrique-demo-") as scratch:
        data = Path(scratch)
        settings = Settings(
            general=GeneralSettings(data_dir=data),
            discord=DiscordSettings(guild_id=GUILD_ID),
            database=DatabaseSettings(url=f"sqlite+aiosqlite:///{data / 'demo.db'}"),
        )
        journey = Journey(settings, workdir, say)
        result = await journey.run()
    say("")
    say(f"📁 Fichiers produits dans {workdir} :")
    for kind, path in result.files.items():
        say(f"   {kind:<9} {path.name}")
    return result


def main(workdir: Path | None = None) -> int:
    target = (workdir or Path("demo-sortie")).resolve()
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(run_demo(target))
    return 0
