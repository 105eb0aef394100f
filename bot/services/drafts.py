"""The draft of a session's notes, made from what the session left behind, for its organizer to correct and validate.

The community's text (seed, documentation step 5) asks for « éléments pour se repérer dans le contenu », either
the organizer's notes or an automated report « dont vous aurez relu et validé le contenu ». So the notes form opens
on a draft, never published as such, taken from the first source that gives one:

1. Zoom's own meeting summary (AI Companion), when Zoom is on and the meeting is Zoom's: the bot only asks Zoom;
2. an OpenAI-compatible chat endpoint, when ``[resume]`` is configured — the only case where the transcript leaves
   the bot. A failing endpoint gives way to the offline draft, which says so;
3. an offline draft made here with no model: a landmark every ten minutes at a cue time, titled with the keywords
   of those ten minutes (YAKE, which needs no download, with French stop words and the fillers of speech).

Every draft opens with a line naming its source and fits the notes field of the form (4 000 characters).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bot.config import ResumeSettings
from bot.domain.chapters import MAX_TITLE_LENGTH
from bot.domain.transcripts import Cue, clock_time, excerpt, parse_vtt, speaking_turns
from bot.i18n import I18n, format_duration
from bot.integrations.resume import ResumeError
from bot.integrations.zoom import ZoomError

if TYPE_CHECKING:
    import yake

log = logging.getLogger(__name__)

DRAFT_MAX = 4000  # the notes field of the documentation modal (cogs/_documentation_form.py NOTES_MAX)
LANDMARK_EVERY_SECONDS = 600
KEYWORDS_PER_LANDMARK = 3
LONGER_PHRASE_TOLERANCE = 1.5  # a phrase holding a keyword replaces it when its YAKE score is this close
ZOOM_LANDMARKS_MAX = 1500  # under Zoom's summary, the transcript's landmarks get at most this much of the field
DESCRIPTION_IN_PROMPT_MAX = 1500

# Words of spoken French that YAKE's written-French list lacks: without them « bon alors » and « du coup » top
# every ten minutes of a transcript.
_FILLERS = """
    euh heu hum hmm mh bah ben bon alors donc voilà voila enfin bref quoi hein ouais ouai oui non ok okay d'accord
    merci genre truc trucs machin chose choses coup fait faire fais dit dire dis disais vraiment juste peu beaucoup
    très trop tout tous toute toutes déjà encore là ici ça cela ceci va vais vas allez aller allons faut falloir
    sais savez sait pense pensez crois voir vois voit vu peut-être effectivement justement exactement carrément
    clairement simplement finalement actuellement notamment forcément évidemment absolument plutôt aujourd'hui
    parce puisque ailleurs aussi autre autres gens petit petite grand grande question moment niveau exemple
    bonjour bonsoir salut coucou écoute écoutez regarde regardez attends attendez tiens voyez vois-tu dites
    accord est-ce qu'est-ce c'est-à-dire y'a ya chose-là truc-là part côté façon manière sorte espèce veut veux voulais
    peux peut pouvez pourrait faudrait serait aurait avoir être était étaient sont suis es est ai as avons avez ont
    parle parler parlé parlait parlons parlez dis-moi dites-moi rappelle rappeler
    """
SPOKEN_FILLERS = frozenset(_FILLERS.split())
# « droits d'auteur » is one token to YAKE, and « d'auteur » no stop word: elided words are written out in full
# (« droits de auteur ») so that the article is a stop word inside the phrase, then elided again in the keyword.
_ELIDED = re.compile(r"\b(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’](?=\w)", re.IGNORECASE)
_WRITTEN_OUT = re.compile(
    r"\b(le|de|je|me|ne|se|te|ce|que|jusque|lorsque|puisque|quoique) (?=[aeiouyhàâäéèêëîïôöûüœæ])"
)
_FULL_FORMS = {"qu": "que", "jusqu": "jusque", "lorsqu": "lorsque", "puisqu": "puisque", "quoiqu": "quoique"} | {
    letter: f"{letter}e" for letter in "ldjmnstc"
}
_BLANK_LINES = re.compile(r"\n{3,}")

SYSTEM_PROMPT = """\
Tu aides l'organisateur ou l'organisatrice d'une « Fabrique », une séance de travail en ligne d'une communauté \
professionnelle, à documenter sa séance. À partir de la transcription automatique de la séance, rédige {language} \
un brouillon de notes qu'il ou elle relira, corrigera et validera avant de le publier pour les membres.

Règles :
- N'invente rien : ne garde que ce qui est dit dans la transcription. La transcription automatique contient des \
erreurs de reconnaissance : corrige un mot manifestement mal reconnu d'après le contexte, sans rien ajouter.
- Texte simple, sans tableau ni titre Markdown (#), 3 000 caractères au plus.
- Si la transcription a été raccourcie (lignes « […] »), ne résume que ce que tu as lu, sans deviner ce qui manque.

Structure attendue, dans cet ordre :
Idées clés :
- de 3 à 6 idées, une phrase chacune.
Décisions et suites :
- ce qui a été décidé ou prévu, et qui s'en charge si c'est dit ; « aucune » sinon.
Ressources citées :
- ouvrages, sites, outils, structures mentionnés, avec leur lien s'il est dit ; « aucune » sinon.
Repères :
une ligne par moment important, dans l'ordre, au format HH:MM:SS titre (l'heure prise dans la transcription, \
un titre de quelques mots), de 5 à 15 lignes, sans puce devant l'heure."""
PROMPT_LANGUAGES = {"fr": "en français", "en": "en anglais"}
CUT_NOTICE = (
    "La transcription est trop longue pour être lue en entier : en voici le début, la fin et des extraits "
    "régulièrement espacés ; « […] » marque chaque coupure."
)


class DraftSource(StrEnum):
    ZOOM = "zoom"  # Zoom's AI Companion summary
    RESUME = "resume"  # the OpenAI-compatible endpoint of [resume]
    OFFLINE = "offline"  # keywords picked here, no model


@dataclass(frozen=True)
class Draft:
    text: str  # ≤ DRAFT_MAX characters, opening with the line that names the source
    source: DraftSource


class DraftSubject(Protocol):
    """What the draft needs of the session (a FabriqueRecord has it)."""

    @property
    def id(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def speaker(self) -> str: ...


class MeetingSummaries(Protocol):
    """Zoom, for the AI Companion summary of a meeting (``ZoomClient.meeting_summary``)."""

    async def meeting_summary(self, meeting_id: int | str) -> str | None: ...


class SummaryModel(Protocol):
    """A chat model behind the ``[resume]`` endpoint (``ResumeClient``)."""

    @property
    def model(self) -> str: ...

    async def complete(self, system: str, user: str) -> str: ...


class DraftService:
    """Drafts the notes of a documented session; sends the transcript nowhere unless ``[resume]`` is set."""

    def __init__(
        self,
        settings: ResumeSettings,
        *,
        i18n: I18n,
        zoom: MeetingSummaries | None,
        resume: SummaryModel | None,
    ) -> None:
        self._settings = settings
        self._i18n = i18n
        self._zoom = zoom
        # The privacy promise holds on the settings too: a client handed over while [resume] is off is not used.
        self._resume = resume if settings.enabled else None

    @property
    def takes_time(self) -> bool:
        """A draft may need longer than Discord gives a form to open (3 s): a summary endpoint is configured. The
        offline draft of a 2-hour transcript takes about a second."""
        return self._resume is not None

    async def draft(
        self, fabrique: DraftSubject, transcript_vtt: str | None, *, zoom_meeting_id: int | str | None
    ) -> Draft | None:
        """The draft of ``fabrique``'s notes, or None when there is nothing to draft from (no Zoom summary, and no
        transcript or one without a readable cue)."""
        cues = await asyncio.to_thread(parse_vtt, transcript_vtt) if transcript_vtt else []  # up to 2 MB: off the loop
        if self._zoom is not None and zoom_meeting_id is not None:
            summary = await self._zoom_summary(self._zoom, fabrique, zoom_meeting_id)
            if summary:
                return self._done(fabrique, await asyncio.to_thread(self._zoom_draft, summary, cues))
        if not cues:
            return None
        notice = None
        if self._resume is not None:
            try:
                return self._done(fabrique, await self._model_draft(self._resume, fabrique, cues))
            except ResumeError as error:
                log.warning("Draft of Fabrique %s: the summary endpoint failed (%s)", fabrique.id, error.key)
                notice = self._i18n("draft.fallback", reason=self._i18n(error.key))
        return self._done(fabrique, await asyncio.to_thread(self._offline_draft, cues, notice))

    async def offline(self, transcript_vtt: str) -> Draft | None:
        """The offline draft alone (about a second for two hours, off the event loop): what a form that must open
        now can hold while a slower source is still working."""
        cues = await asyncio.to_thread(parse_vtt, transcript_vtt)
        return await asyncio.to_thread(self._offline_draft, cues, None) if cues else None

    def _done(self, fabrique: DraftSubject, draft: Draft) -> Draft:
        log.info("Draft of Fabrique %s from %s (%d characters)", fabrique.id, draft.source, len(draft.text))
        return draft

    async def _zoom_summary(self, zoom: MeetingSummaries, fabrique: DraftSubject, meeting_id: int | str) -> str | None:
        try:
            return await zoom.meeting_summary(meeting_id)
        except ZoomError as error:  # no scope, AI Companion off, Zoom down: the next source will do
            log.warning("Draft of Fabrique %s: no Zoom summary (%s, HTTP %s)", fabrique.id, error.key, error.status)
            return None

    # --- the three sources -----------------------------------------------------------------------------------------

    def _zoom_draft(self, summary: str, cues: list[Cue]) -> Draft:
        header = self._i18n("draft.source.zoom")
        landmarks = ""
        if cues:
            lines = [self._i18n("draft.landmarks_from_transcript"), *landmark_lines(cues)]
            landmarks = fit("\n".join(lines), ZOOM_LANDMARKS_MAX)
        room = DRAFT_MAX - len(header) - (len(landmarks) + 2 if landmarks else 0) - 2
        body = fit(_BLANK_LINES.sub("\n\n", summary.replace("\r\n", "\n")).strip(), room)
        return Draft(join_blocks(header, body, landmarks), DraftSource.ZOOM)

    async def _model_draft(self, model: SummaryModel, fabrique: DraftSubject, cues: list[Cue]) -> Draft:
        system = SYSTEM_PROMPT.format(language=PROMPT_LANGUAGES.get(self._i18n.language, "en français"))
        duration = format_duration(max(1, round(cues[-1].end / 60)))
        lines = [f"Fabrique : {fabrique.title}"]
        if fabrique.speaker.strip():
            lines.append(f"Intervenant·e : {fabrique.speaker.strip()}")
        lines += [
            f"Présentation : {fit(fabrique.description.strip(), DESCRIPTION_IN_PROMPT_MAX)}",
            "",
            f"Transcription ({duration}, une ligne par prise de parole, « [HH:MM:SS] Nom: paroles ») :",
        ]
        presentation = "\n".join(lines)
        budget = self._settings.max_input_chars - len(system) - len(presentation) - len(CUT_NOTICE) - 4
        part = excerpt(speaking_turns(cues), max(1, budget))
        user = "\n".join([presentation, *([CUT_NOTICE] if part.cut else []), part.text])
        answer = await model.complete(system, user)
        blocks = [self._i18n("draft.source.resume", model=model.model)]
        if part.cut:
            percent = max(1, round(100 * part.kept_chars / max(1, part.total_chars)))
            blocks.append(self._i18n("draft.cut", duration=duration, percent=percent))
        head = join_blocks(*blocks)
        body = fit(_BLANK_LINES.sub("\n\n", answer.replace("\r\n", "\n")).strip(), DRAFT_MAX - len(head) - 2)
        return Draft(join_blocks(head, body), DraftSource.RESUME)

    def _offline_draft(self, cues: list[Cue], notice: str | None) -> Draft:
        landmarks = "\n".join([self._i18n("draft.landmarks"), *landmark_lines(cues)])
        text = join_blocks(self._i18n("draft.source.offline"), notice or "", landmarks)
        return Draft(fit(text, DRAFT_MAX), DraftSource.OFFLINE)


# --- the offline draft's pieces, pure functions ---------------------------------------------------------------------


def landmark_lines(cues: list[Cue], every_seconds: int = LANDMARK_EVERY_SECONDS) -> list[str]:
    """One ``HH:MM:SS titre`` line per ``every_seconds`` of transcript that holds speech: the time of its first
    cue, titled with the keywords of its cues (its first words when no keyword stands out)."""
    windows: dict[int, list[Cue]] = {}
    for cue in cues:
        windows.setdefault(int(cue.start // every_seconds), []).append(cue)
    lines = []
    for window in sorted(windows):
        part = windows[window]
        found = keywords(" ".join(cue.text for cue in part), KEYWORDS_PER_LANDMARK * 2)
        title = _title(found) or _first_words(part[0].text)
        lines.append(f"{clock_time(part[0].start)} {title}")
    return lines


def keywords(text: str, count: int) -> list[str]:
    """The ``count`` most characteristic words or phrases of a French text (YAKE), fillers of speech excluded; of
    two that share a word, the better one is kept — the longer one when it scores nearly as well (« billetterie en
    ligne » rather than « billetterie »)."""
    cleaned = _ELIDED.sub(lambda match: _FULL_FORMS[match.group(1).lower()] + " ", text)
    if not cleaned.strip():
        return []
    chosen: list[tuple[set[str], str, float]] = []  # content words, phrase, score (lower is better)
    for candidate, score in _extractor(count * 3).extract_keywords(cleaned):
        phrase = candidate.strip(" -–—:;,.!?«»\"'()")
        tokens = set(phrase.lower().split()) - _stop_words()
        if len(phrase) < 3 or not tokens or phrase.replace(" ", "").isdigit():
            continue
        overlapping = [index for index, (kept, _, _) in enumerate(chosen) if tokens & kept]
        if not overlapping:
            chosen.append((tokens, phrase, float(score)))
        elif len(overlapping) == 1:
            kept, _, kept_score = chosen[overlapping[0]]
            if tokens > kept and score <= LONGER_PHRASE_TOLERANCE * kept_score:
                chosen[overlapping[0]] = (tokens, phrase, kept_score)
    found = []
    for _, phrase, _ in chosen[:count]:
        # A capital that only opens a sentence is not the keyword's: keep it only when the text never drops it.
        if phrase[:1].lower() + phrase[1:] in cleaned:
            phrase = phrase[:1].lower() + phrase[1:]
        found.append(_WRITTEN_OUT.sub(lambda match: match.group(1)[:-1] + "'", phrase))
    return found


@functools.cache
def _stop_words() -> frozenset[str]:
    import yake  # numpy and friends load only when a draft is first made

    return frozenset(yake.KeywordExtractor(lan="fr").stopword_set) | SPOKEN_FILLERS


def _extractor(top: int) -> yake.KeywordExtractor:
    import yake

    # A new extractor per call: YAKE keeps caches on the instance, and drafts may run in parallel threads.
    return yake.KeywordExtractor(lan="fr", n=3, dedup_lim=0.7, top=top, stopwords=set(_stop_words()))


def _title(found: Iterable[str]) -> str:
    title = ""
    for word in found:
        candidate = f"{title}, {word}" if title else word
        if len(candidate) > MAX_TITLE_LENGTH:
            break
        title = candidate
        if title.count(", ") + 1 == KEYWORDS_PER_LANDMARK:
            break
    return title


def _first_words(text: str, limit: int = 60) -> str:
    words = text.strip(" -–—:")
    return words if len(words) <= limit else words[: limit - 1].rsplit(" ", 1)[0] + "…"


def join_blocks(*blocks: str) -> str:
    return "\n\n".join(block for block in blocks if block)


def fit(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its whole lines that fit followed by « … »."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ""
    cut = text[: limit - 1]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    return cut.rstrip() + "…"
