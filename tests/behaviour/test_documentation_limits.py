"""/fabrique documenter refuses an empty recording and one over the size cap before the form opens; nothing is queued.
The job then streams the attachment from Discord's CDN (never whole in memory) under the same cap.

The cap is ``[audio] max_input_mb``, set to 1 Mo here so the test sends a file just over it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import AudioSettings, Settings
from bot.db.models import DocumentationRow
from demo.simcord_cdn import CHUNK, bot_and_cdn
from tests.behaviour.builders import assert_nothing_queued, held_session, recording, row
from tests.behaviour.conftest import World, build_world, configure, running, said
from tests.conftest import make_settings
from tests.support import assert_refused

CAP_MB = 1
CAP_BYTES = CAP_MB * 1024 * 1024


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, audio=AudioSettings(max_input_mb=CAP_MB))


async def test_an_empty_recording_is_refused_before_the_form(world: World, settings: Settings) -> None:
    number = await held_session(world, settings)

    refused = await world.alice.slash(
        world.general, "fabrique documenter", fabrique=number, enregistrement=("session.m4a", b"")
    )

    assert refused.modal is None
    assert "Le fichier est vide : envoyez l'enregistrement complet." in said(refused).content
    await assert_nothing_queued(world, settings, number)
    assert_refused(world.env, "error.audio.empty")


async def test_a_recording_over_the_size_cap_is_refused_before_the_form(world: World, settings: Settings) -> None:
    number = await held_session(world, settings)

    refused = await world.alice.slash(
        world.general, "fabrique documenter", fabrique=number, enregistrement=("session.m4a", b"\0" * (CAP_BYTES + 1))
    )

    assert refused.modal is None
    assert f"Le fichier dépasse la taille acceptée ({CAP_MB} Mo)." in said(refused).content
    await assert_nothing_queued(world, settings, number)

    # Exactly the cap is still accepted: the form opens (the file's content is checked later, by the job).
    at_cap = await world.alice.slash(
        world.general, "fabrique documenter", fabrique=number, enregistrement=("session.m4a", b"\0" * CAP_BYTES)
    )
    assert at_cap.modal is not None
    assert {c["component"]["custom_id"] for c in at_cap.modal["components"]} == {"notes", "ressources"}
    await assert_nothing_queued(world, settings, number)
    assert_refused(world.env, "error.download.too_large")


async def test_an_attachment_is_streamed_from_the_cdn_in_chunks(settings: Settings, tmp_path: Path) -> None:
    bot, cdn = bot_and_cdn(settings)
    async with running(bot, settle_timeout=60.0) as env:
        world = build_world(env)
        await configure(world)
        number = await held_session(world, settings)
        data = recording(tmp_path)
        shown = await world.alice.slash(
            world.general, "fabrique documenter", fabrique=number, enregistrement=("session.m4a", data)
        )
        await world.alice.submit_modal(shown, {"notes": "Tour de table.", "ressources": ""})
        await world.env.settle(timeout=50)

        assert "est prête" in world.dms(world.alice)[-1].content
        assert len(cdn.requests) == 1 and cdn.requests[0].endswith("/session.m4a")  # its URL, not read()
        assert len(cdn.chunks) > 1 and sum(cdn.chunks) == len(data)  # taken piece by piece, all of it
        assert_refused(world.env)


async def test_an_attachment_growing_past_the_cap_on_the_cdn_is_cut_and_refused(
    settings: Settings, tmp_path: Path
) -> None:
    """Discord checked the size it declared; what its CDN sends is counted again, and the cut stops the reading."""
    bot, cdn = bot_and_cdn(settings)
    cdn.extra = b"\0" * CAP_BYTES  # more than the attachment declared, and past the cap
    async with running(bot, settle_timeout=60.0) as env:
        world = build_world(env)
        await configure(world)
        number = await held_session(world, settings)
        shown = await world.alice.slash(
            world.general, "fabrique documenter", fabrique=number, enregistrement=("session.m4a", recording(tmp_path))
        )
        await world.alice.submit_modal(shown, {"notes": "Tour de table.", "ressources": ""})
        await world.env.settle(timeout=50)

        failed = world.dms(world.alice)[-1].content
        assert f"Le fichier dépasse la taille acceptée ({CAP_MB} Mo)." in failed, failed
        stored = await row(settings, DocumentationRow, number)
        assert stored["status"] == "failed" and stored["failure_key"] == "error.download.too_large"
        assert sum(cdn.chunks) <= CAP_BYTES + CHUNK  # reading stopped at the cap
        assert not list((settings.general.data_dir).rglob("*.source"))  # nothing of it kept
        assert_refused(world.env)  # a job's refusal is told in the DM, not raised
