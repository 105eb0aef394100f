"""Each source of the documentation draft over real HTTP: Zoom's meeting summary from the local Zoom-shaped server,
and an OpenAI-compatible chat server on 127.0.0.1 that answers, times out, fails with a 500 or sends no JSON.

What the tests read on the servers is what left the bot: the key, the model, the French prompt, the cut
transcript — and nothing at all while ``[resume]`` is off.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import ResumeSettings, Secrets
from bot.domain.chapters import parse_chapters
from bot.i18n import I18n
from bot.integrations.resume import ResumeClient, ResumeError
from bot.integrations.zoom import ZoomClient, ZoomError
from bot.preflight import check_services
from bot.services.drafts import DRAFT_MAX, DraftService, DraftSource
from tests.conftest import make_settings
from tests.french_transcript import french_transcript
from tests.integration.openai_fake import FakeChatServer
from tests.integration.zoom_fake import ZOOM_IDS, FakeZoom

API_KEY = "sk-fabrique-test-key"
MODEL = "mistral-small-latest"
ANSWER = """Idées clés :
- La médiation numérique fait revenir les publics adolescents.
Décisions et suites :
- Camille partage la grille d'évaluation.
Ressources citées :
- aucune
Repères :
00:00:01 Ouverture et tour de table
00:10:04 Billetterie en ligne
01:50:03 Sobriété numérique"""
SOURCE_LINE_END = " — relisez, corrigez et validez avant de publier."


@dataclass(frozen=True)
class Session:
    id: int = 12
    title: str = "Le numérique au service des publics"
    description: str = "Partager nos expériences de médiation numérique."
    speaker: str = ""


@pytest.fixture(scope="module")
def transcript() -> str:
    return french_transcript()


@pytest.fixture
async def chat() -> AsyncIterator[FakeChatServer]:
    async with FakeChatServer(api_key=API_KEY, model=MODEL, answer=ANSWER) as server:
        yield server


@pytest.fixture
async def zoom_server() -> AsyncIterator[FakeZoom]:
    async with FakeZoom(**ZOOM_IDS) as server:
        yield server


async def no_wait(_seconds: float) -> None:
    return None


@pytest.fixture
async def zoom(zoom_server: FakeZoom) -> AsyncIterator[ZoomClient]:
    client = ZoomClient(
        account_id=ZOOM_IDS["account_id"],
        client_id=ZOOM_IDS["client_id"],
        client_secret=ZOOM_IDS["client_secret"],
        host_user="me",
        api_base=zoom_server.api_base,
        oauth_url=zoom_server.oauth_url,
        sleep=no_wait,
    )
    yield client
    await client.aclose()


def resume_settings(server: FakeChatServer, **changes: object) -> ResumeSettings:
    return ResumeSettings(**{"base_url": server.base_url, "model": MODEL, "timeout_seconds": 5, **changes})


@pytest.fixture
async def resume(chat: FakeChatServer) -> AsyncIterator[ResumeClient]:
    client = ResumeClient(base_url=chat.base_url, api_key=API_KEY, model=MODEL, timeout_seconds=0.5)
    yield client
    await client.aclose()


# --- Zoom's meeting summary -------------------------------------------------------------------------------------

SUMMARY = {
    "summary_overview": "Les participants ont partagé leurs expériences de médiation numérique.",
    "summary_details": [
        {"label": "Publics adolescents", "summary": "Les ateliers font revenir les adolescents au théâtre."},
        {"label": "Billetterie", "summary": "La billetterie en ligne change la relation au public."},
    ],
    "next_steps": ["Camille partage la grille d'évaluation.", "Julien contacte le réseau des tiers-lieux."],
}


async def test_zoom_summary_becomes_the_draft_with_the_transcripts_landmarks(
    zoom_server: FakeZoom, zoom: ZoomClient, transcript: str
) -> None:
    zoom_server.add_summary(81234567890, **SUMMARY)
    drafts = DraftService(ResumeSettings(), i18n=I18n("fr"), zoom=zoom, resume=None)
    draft = await drafts.draft(Session(), transcript, zoom_meeting_id=81234567890)
    assert draft is not None and draft.source is DraftSource.ZOOM
    lines = draft.text.split("\n")
    assert lines[0] == "Brouillon proposé par Zoom (résumé AI Companion)" + SOURCE_LINE_END
    assert "Les participants ont partagé leurs expériences de médiation numérique." in draft.text
    assert "Publics adolescents\nLes ateliers font revenir les adolescents au théâtre." in draft.text
    assert "- Julien contacte le réseau des tiers-lieux." in draft.text
    assert len(parse_chapters(draft.text)) == 12 and len(draft.text) <= DRAFT_MAX
    [request] = [r for r in zoom_server.api_requests if r.path.endswith("/meeting_summary")]
    assert (request.method, request.path) == ("GET", "/v2/meetings/81234567890/meeting_summary")
    assert request.headers["authorization"].startswith("Bearer fake-zoom-token-")


async def test_the_hosts_edits_and_zooms_markdown_come_before_the_raw_parts(
    zoom_server: FakeZoom, zoom: ZoomClient
) -> None:
    zoom_server.add_summary(1, **SUMMARY, summary_content="## Résumé\nTexte rédigé par Zoom.\n## Étapes\n- agir")
    assert await zoom.meeting_summary(1) == "## Résumé\nTexte rédigé par Zoom.\n## Étapes\n- agir"
    edited = {"summary_details": "Texte corrigé par l'hôte.", "next_steps": ["Relire l'article."]}
    zoom_server.add_summary(2, **SUMMARY, summary_content="ignoré", edited_summary=edited)
    assert await zoom.meeting_summary(2) == "Texte corrigé par l'hôte.\n\n- Relire l'article."


async def test_an_instance_uuid_is_encoded_as_zoom_asks(zoom_server: FakeZoom, zoom: ZoomClient) -> None:
    uuid = "/ajXp112QmuoKj4854875==//"  # starts with "/" and holds "//": encoded twice
    zoom_server.add_summary(uuid, summary_overview="Par UUID.")
    assert await zoom.meeting_summary(uuid) == "Par UUID."
    assert zoom_server.api_requests[-1].path == "/v2/meetings/%2FajXp112QmuoKj4854875%3D%3D%2F%2F/meeting_summary"


async def test_no_summary_at_zoom_gives_the_offline_draft(
    zoom_server: FakeZoom, zoom: ZoomClient, transcript: str
) -> None:
    assert await zoom.meeting_summary(81234567890) is None  # 404: AI Companion off, or not ready
    zoom_server.add_summary(3, summary_overview="", summary_details=[], next_steps=[])
    assert await zoom.meeting_summary(3) is None  # an empty summary is no summary
    drafts = DraftService(ResumeSettings(), i18n=I18n("fr"), zoom=zoom, resume=None)
    draft = await drafts.draft(Session(), transcript, zoom_meeting_id=81234567890)
    assert draft is not None and draft.source is DraftSource.OFFLINE


async def test_a_zoom_refusal_is_a_zoom_error_and_the_draft_goes_on(
    zoom_server: FakeZoom, zoom: ZoomClient, chat: FakeChatServer, resume: ResumeClient, transcript: str
) -> None:
    zoom_server.add_summary(4, **SUMMARY)
    zoom_server.fail_api(403, times=1)  # the app lacks meeting:read:summary:admin
    with pytest.raises(ZoomError) as refused:
        await zoom.meeting_summary(4)
    assert (refused.value.key, refused.value.status) == ("error.zoom.rejected", 403)
    zoom_server.fail_api(403, times=1)
    drafts = DraftService(resume_settings(chat), i18n=I18n("fr"), zoom=zoom, resume=resume)
    draft = await drafts.draft(Session(), transcript, zoom_meeting_id=4)
    assert draft is not None and draft.source is DraftSource.RESUME and len(chat.chat_requests) == 1


# --- the OpenAI-compatible endpoint -----------------------------------------------------------------------------


async def test_the_endpoint_drafts_from_a_cut_transcript(
    chat: FakeChatServer, resume: ResumeClient, transcript: str
) -> None:
    settings = resume_settings(chat, max_input_chars=20000)
    draft = await DraftService(settings, i18n=I18n("fr"), zoom=None, resume=resume).draft(
        Session(), transcript, zoom_meeting_id=None
    )
    assert draft is not None and draft.source is DraftSource.RESUME
    lines = draft.text.split("\n")
    assert lines[0] == f"Brouillon proposé par le modèle {MODEL} à partir de la transcription" + SOURCE_LINE_END
    assert lines[2].startswith("La transcription (2h) dépassait ce que le modèle peut lire")
    assert draft.text.endswith(ANSWER) and len(draft.text) <= DRAFT_MAX
    assert [chapter.title for chapter in parse_chapters(draft.text)][:2] == [
        "Ouverture et tour de table",
        "Billetterie en ligne",
    ]
    [request] = chat.chat_requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    body = request.json
    assert body["model"] == MODEL and body["stream"] is False
    system, user = body["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert "Idées clés" in system["content"] and "HH:MM:SS titre" in system["content"]
    assert len(system["content"]) + len(user["content"]) <= 20000
    assert "[00:00:01] " in user["content"] and "\n[…]\n" in user["content"]
    assert "Camille Martin: " in user["content"]  # the model gets the names; the offline keywords never do


async def test_a_short_transcript_is_sent_whole(chat: FakeChatServer, resume: ResumeClient) -> None:
    short = french_transcript(300)
    draft = await DraftService(resume_settings(chat), i18n=I18n("fr"), zoom=None, resume=resume).draft(
        Session(), short, zoom_meeting_id=None
    )
    assert draft is not None and "dépassait" not in draft.text
    assert "[…]" not in chat.chat_requests[0].messages[1]["content"]


@pytest.mark.parametrize(
    ("behaviour", "key"),
    [
        ("slow", "error.resume.unavailable"),
        ("error", "error.resume.unavailable"),
        ("not_json", "error.resume.unavailable"),
        ("no_choices", "error.resume.unavailable"),
    ],
)
async def test_a_failing_endpoint_gives_the_offline_draft_with_a_line_saying_so(
    chat: FakeChatServer, resume: ResumeClient, transcript: str, behaviour: str, key: str
) -> None:
    chat.behaviour = behaviour  # type: ignore[assignment]
    chat.slow_seconds = 3
    started = time.monotonic()
    draft = await DraftService(resume_settings(chat), i18n=I18n("fr"), zoom=None, resume=resume).draft(
        Session(), transcript, zoom_meeting_id=None
    )
    assert time.monotonic() - started < 2.5  # the client's 0.5 s timeout, then the offline draft
    assert draft is not None and draft.source is DraftSource.OFFLINE
    lines = draft.text.split("\n")
    assert lines[0].startswith("Brouillon proposé par le bot, sans IA") and lines[0].endswith(SOURCE_LINE_END)
    assert lines[2] == f"⚠️ {I18n('fr')(key)} Voici à la place le brouillon fait sans IA."
    assert len(parse_chapters(draft.text)) == 12 and len(draft.text) <= DRAFT_MAX
    assert len(chat.chat_requests) == 1  # no retry: the organizer is waiting


@pytest.mark.parametrize(
    ("behaviour", "key", "retryable", "status"),
    [
        ("slow", "error.resume.unavailable", True, None),
        ("error", "error.resume.unavailable", True, 500),
        ("not_json", "error.resume.unavailable", True, 200),
    ],
)
async def test_the_client_names_each_failure(
    chat: FakeChatServer, resume: ResumeClient, behaviour: str, key: str, retryable: bool, status: int | None
) -> None:
    chat.behaviour = behaviour  # type: ignore[assignment]
    chat.slow_seconds = 3
    with pytest.raises(ResumeError) as failed:
        await resume.complete("système", "utilisateur")
    assert (failed.value.key, failed.value.retryable, failed.value.status) == (key, retryable, status)


async def test_a_wrong_key_or_model_is_for_the_operator(chat: FakeChatServer) -> None:
    for api_key, model, key, status in (
        ("wrong", MODEL, "error.resume.auth", 401),
        (API_KEY, "no-such-model", "error.resume.rejected", 404),
    ):
        client = ResumeClient(base_url=chat.base_url, api_key=api_key, model=model, timeout_seconds=5)
        try:
            with pytest.raises(ResumeError) as refused:
                await client.complete("s", "u")
        finally:
            await client.aclose()
        assert (refused.value.key, refused.value.retryable, refused.value.status) == (key, False, status)


async def test_an_unreachable_endpoint_is_unavailable() -> None:
    client = ResumeClient(base_url="http://127.0.0.1:1/v1", api_key="", model=MODEL, timeout_seconds=5)
    try:
        with pytest.raises(ResumeError) as failed:
            await client.complete("s", "u")
    finally:
        await client.aclose()
    assert (failed.value.key, failed.value.retryable) == ("error.resume.unavailable", True)


async def test_a_reasoning_models_thinking_and_a_fence_are_removed(chat: FakeChatServer, resume: ResumeClient) -> None:
    chat.answer = "<think>\nLet me plan the summary.\n</think>\n\n```markdown\nIdées clés :\n- une\n```"
    assert await resume.complete("s", "u") == "Idées clés :\n- une"


async def test_a_local_server_gets_no_key_header() -> None:
    async with FakeChatServer(api_key="", model=MODEL, answer="Résumé local.") as local:
        client = ResumeClient(base_url=local.base_url, api_key="", model=MODEL, timeout_seconds=5)
        try:
            assert await client.complete("s", "u") == "Résumé local."
        finally:
            await client.aclose()
        assert "authorization" not in local.chat_requests[0].headers


async def test_nothing_leaves_the_bot_while_resume_is_off(chat: FakeChatServer, transcript: str) -> None:
    """Even with a client at hand, a service whose [resume] has no base_url sends nothing anywhere."""
    client = ResumeClient(base_url=chat.base_url, api_key=API_KEY, model=MODEL, timeout_seconds=5)
    try:
        drafts = DraftService(ResumeSettings(), i18n=I18n("fr"), zoom=None, resume=client)
        draft = await drafts.draft(Session(), transcript, zoom_meeting_id=81234567890)
    finally:
        await client.aclose()
    assert draft is not None and draft.source is DraftSource.OFFLINE
    assert chat.requests == []


# --- check-config --connect ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "key", "status", "detail"),
    [
        (MODEL, API_KEY, "ok", f"modèle « {MODEL} » disponible"),
        ("mistral-large", API_KEY, "ÉCHEC", "modèle « mistral-large » inconnu"),
        (MODEL, "wrong", "ÉCHEC", "clé refusée (HTTP 401) : vérifiez RESUME_API_KEY"),
    ],
)
async def test_check_config_connect_checks_the_key_and_the_model(
    tmp_path: Path, chat: FakeChatServer, model: str, key: str, status: str, detail: str
) -> None:
    settings = make_settings(
        tmp_path,
        resume=ResumeSettings(base_url=chat.base_url, model=model),
        secrets=Secrets(resume_api_key=SecretStr(key)),
    )
    outcome = (await check_services(settings))[-1]
    assert (outcome.service, outcome.status) == ("Résumé", status) and detail in outcome.line()
    assert "wrong" not in outcome.line() and API_KEY not in outcome.line()
    assert [request.path for request in chat.requests] == ["/v1/models"]  # no transcript, no completion


async def test_check_config_connect_says_where_the_endpoint_was_looked_for(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, resume=ResumeSettings(base_url="http://127.0.0.1:1/v1", model=MODEL))
    outcome = (await check_services(settings))[-1]
    assert outcome.failed and "http://127.0.0.1:1/v1/models injoignable" in outcome.line()
