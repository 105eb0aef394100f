"""Who may have the bot draft notes from a transcript: only those who may document the Fabrique. With ``[resume]``
configured the transcript is sent to a paid (or private) endpoint; a member who does not run the session must be
refused before anything is drafted or sent, as ``/fabrique documenter`` refuses them without a transcript."""

from __future__ import annotations

from pathlib import Path

from bot.app import create_bot
from bot.config import ResumeSettings
from tests.behaviour.builders import held_session
from tests.behaviour.conftest import build_world, configure, running, said
from tests.conftest import make_settings
from tests.french_transcript import french_transcript
from tests.integration.openai_fake import FakeChatServer
from tests.support import assert_refused

TRANSCRIPT = french_transcript(20 * 60).encode()


async def test_a_member_who_does_not_run_the_fabrique_sends_no_transcript_to_the_summary_endpoint(
    tmp_path: Path,
) -> None:
    async with FakeChatServer(answer="Idées clés : rien") as chat:
        settings = make_settings(tmp_path, resume=ResumeSettings(base_url=chat.base_url, model=chat.model))
        async with running(create_bot(settings), settle_timeout=10.0) as env:
            world = build_world(env)
            await configure(world)
            number = await held_session(world, settings)  # Alice's session

            answered = await world.bob.slash(
                world.general, "fabrique documenter", fabrique=number, transcription=("session.vtt", TRANSCRIPT)
            )

            assert chat.chat_requests == []  # nothing left the bot for someone who may not document
            assert answered.modal is None
            assert "Relire le brouillon" not in str(said(answered).components)
            assert_refused(env, "error.not_organizer_or_team")
