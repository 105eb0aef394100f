"""/fabrique documenter refuses an empty recording and one over the size cap before the form opens; nothing is queued.

The cap is ``[audio] max_input_mb``, set to 1 Mo here so the test sends a file just over it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import AudioSettings, Settings
from tests.behaviour.builders import assert_nothing_queued, held_session
from tests.behaviour.conftest import World, said
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
