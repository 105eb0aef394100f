"""A recording link the bot could not request is refused when it is given, with a sentence; nothing is queued.

A tab pasted inside a link used to pass the https check and then crash the background job (« conversion
échouée », a traceback in the log). Such links are now refused where they are typed: in the command's ``lien``
option (before the form opens) and in the form's ``lien`` field.
"""

from __future__ import annotations

import pytest

from tests.behaviour.builders import assert_nothing_queued, held_session
from tests.behaviour.conftest import World, said
from tests.support import assert_refused

INVALID = "Ce lien n'est pas une adresse web valide"


@pytest.mark.parametrize(
    "link",
    [
        "https://example.org/enregistrement\t.m4a",
        "https://exa\tmple.org/enregistrement.m4a",
        "https://example.org:99999/enregistrement.m4a",
        "https://exa\u200bmple.org/enregistrement.m4a",
    ],
)
async def test_a_link_httpx_would_refuse_is_refused_before_the_form(world: World, settings, link: str) -> None:
    number = await held_session(world, settings)

    refused = await world.alice.slash(world.general, "fabrique documenter", fabrique=number, lien=link)

    assert refused.modal is None
    assert INVALID in said(refused).content
    await assert_nothing_queued(world, settings, number)
    assert_refused(world.env, "error.download.invalid")


async def test_a_bad_link_typed_in_the_form_is_refused_and_nothing_is_queued(world: World, settings) -> None:
    number = await held_session(world, settings)
    for link, sentence in (
        ("https://example.org/enregistrement\t.m4a", INVALID),
        ("http://example.org/enregistrement.m4a", "Le lien doit commencer par https://"),
    ):
        shown = await world.alice.slash(world.general, "fabrique documenter", fabrique=number)
        assert "lien" in {c["component"]["custom_id"] for c in shown.modal["components"]}

        refused = await world.alice.submit_modal(shown, {"notes": "Notes", "ressources": "", "lien": link})

        assert any(sentence in message.content for message in refused.followups), link
    await assert_nothing_queued(world, settings, number)
    assert_refused(world.env, "error.download.invalid", "error.download.scheme")
