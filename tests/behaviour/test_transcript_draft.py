"""Issue 13, the draft of a transcript given by hand: `/fabrique documenter` with a `.vtt` opens the notes on a draft
the organizer reviews and validates (seed, documentation step 5). Without ``[resume]`` the offline draft is made at
once and the form is the first answer; with a summary endpoint, whose answer takes longer than Discord allows a
form to open, the bot answers with a button that opens the form on the endpoint's draft."""

from __future__ import annotations

from pathlib import Path

from bot.app import create_bot
from bot.config import ResumeSettings
from bot.db.models import DocumentationRow
from tests.behaviour.builders import held_session, recording, row
from tests.behaviour.conftest import World, build_world, configure, running, said
from tests.conftest import make_settings
from tests.french_transcript import french_transcript
from tests.integration.openai_fake import FakeChatServer
from tests.support import assert_refused

TRANSCRIPT = french_transcript(40 * 60).encode()
MODEL_NOTES = "Idées clés : la médiation numérique auprès des publics adolescents.\n00:10:00 Billetterie en ligne"


def notes_field(shown) -> dict:
    return next(c["component"] for c in shown.modal["components"] if c["component"]["custom_id"] == "notes")


async def test_a_transcript_given_by_hand_opens_the_notes_on_the_offline_draft(
    world: World, settings, tmp_path: Path
) -> None:
    number = await held_session(world, settings)
    shown = await world.alice.slash(
        world.general,
        "fabrique documenter",
        fabrique=number,
        enregistrement=("session.m4a", recording(tmp_path)),
        transcription=("session.vtt", TRANSCRIPT),
    )
    draft = notes_field(shown)["value"]
    assert draft.startswith("Brouillon proposé par le bot, sans IA"), draft[:120]
    assert "00:10:" in draft and "billetterie" in draft.lower()  # a landmark every ten minutes, with its keywords
    assert len(draft) <= 4000

    validated = draft.replace("Brouillon proposé par le bot", "Notes relues") + "\nMerci à toutes et à tous."
    done = await world.alice.submit_modal(shown, {"notes": validated, "ressources": ""})
    assert "est lancée" in said(done).content
    await world.env.settle(timeout=50)
    stored = await row(settings, DocumentationRow, number)
    assert stored["notes"] == validated  # what the organizer validated, never the draft alone
    assert_refused(world.env)


async def test_with_a_summary_endpoint_a_button_opens_the_form_on_its_draft(tmp_path: Path) -> None:
    async with FakeChatServer(answer=MODEL_NOTES) as chat:
        settings = make_settings(tmp_path, resume=ResumeSettings(base_url=chat.base_url, model=chat.model))
        async with running(create_bot(settings), settle_timeout=10.0) as env:
            world = build_world(env)
            await configure(world)
            number = await held_session(world, settings)
            answered = await world.alice.slash(
                world.general, "fabrique documenter", fabrique=number, transcription=("session.vtt", TRANSCRIPT)
            )
            assert answered.modal is None
            ready = said(answered)
            assert "brouillon des notes" in ready.content and len(chat.chat_requests) == 1

            shown = await world.alice.click(ready, label="Relire le brouillon")
            draft = notes_field(shown)["value"]
            assert draft.startswith(f"Brouillon proposé par le modèle {chat.model}") and MODEL_NOTES in draft
            done = await world.alice.submit_modal(shown, {"notes": draft, "ressources": ""})
            assert "est lancée" in said(done).content
            await env.settle(timeout=30)
            assert (await row(settings, DocumentationRow, number))["notes"] == draft
            assert_refused(env)
