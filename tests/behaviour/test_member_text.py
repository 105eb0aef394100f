"""What a member types leaves the bot as inert text: a title that hides characters is refused with a clear
sentence, Discord shows titles literally (no masked link beside the real Zoom link), and the registrants' CSV never
holds a formula."""

from __future__ import annotations

import base64
import csv
import io
from datetime import timedelta

import pytest

from bot.i18n.fr import MESSAGES as FRENCH
from tests.behaviour.builders import (
    ZOOM,
    add_slot,
    approved_fabrique,
    local_date,
    move_to,
    propose,
    reminders,
    session_times,
)
from tests.behaviour.conftest import World, said
from tests.support import assert_refused

INJECTION = base64.b64encode(b"x\r\nReply-To: pirate@attaquant.example").decode()
FAKE_LINK = "[https://us02web.zoom.us/j/81234567890](https://evil.example/zoom)"


def cards(world: World) -> list[object]:
    return [message for message in world.team_channel.history() if message.embeds]


@pytest.mark.parametrize(
    ("title", "key"),
    [
        pytest.param(f"Atelier =?utf-8?b?{INJECTION}?=", "error.input.encoded_word", id="encoded-word"),
        pytest.param("=?utf-8?q?x=0D=0AReply-To=3A_pirate@attaquant.example?=", "error.input.encoded_word", id="q"),
        pytest.param("Atelier \x1b[31mrouge\x00", "error.input.control_characters", id="control"),
        pytest.param("Atelier \u202egnp.exe", "error.input.bidi", id="right-to-left-override"),
        pytest.param("Atelier \u2066isolé\u2069", "error.input.bidi", id="isolate"),
        pytest.param("\u200b\u200c\u2060 \u3164\u2800", "error.input.invisible", id="only-invisible"),
    ],
)
async def test_a_title_hiding_characters_is_refused_with_a_clear_sentence(world: World, title: str, key: str) -> None:
    refused = await propose(world, titre=title)

    expected = FRENCH[key].format(field="titre")
    refusal, given_back = (message.content for message in refused.followups)
    assert refusal == expected
    assert "« titre »" in expected and ":" in expected  # names the field, then says what to do
    assert given_back.startswith(FRENCH["modal.give_back"])  # and hands the typed text back
    assert_refused(world.env, key)
    assert cards(world) == []  # nothing reached the team


async def test_an_emoji_or_accents_in_a_title_are_welcome(world: World) -> None:
    """Zero-width joiners inside an emoji, accents, « =? » alone: visible text, accepted."""
    accepted = await propose(world, titre="Atelier 👩‍💻 numérique : qui =? quoi")
    assert "transmise" in said(accepted).content
    assert len(cards(world)) == 1
    assert_refused(world.env)


async def test_a_title_shaped_as_a_link_is_shown_as_text_beside_the_real_zoom_link(world: World, settings) -> None:
    number = await approved_fabrique(world, titre=f"{FAKE_LINK} _souligné_ **gras**")
    slot = await add_slot(world, local_date(world, 20))
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    announcement = world.agenda.last_message
    await world.bob.click(announcement, label="S'inscrire")

    escaped = r"\[https://us02web.zoom.us/j/81234567890](https://evil.example/zoom) \_souligné\_ \*\*gras\*\*"
    assert announcement.embeds[0].title == escaped
    card = world.team_channel.history()[0]
    assert escaped in card.embeds[0].title
    link = said(await world.bob.slash(world.general, "fabrique lien", fabrique=number)).content
    assert escaped in link and link.count(ZOOM) == 1

    start, _ = await session_times(world, settings, number)
    await move_to(world, start - timedelta(hours=24))
    [reminder] = reminders(world, world.bob)
    assert escaped in reminder
    assert f"Lien Zoom : {ZOOM}" in reminder  # the real link stays a link
    assert_refused(world.env)


@pytest.mark.parametrize(
    "nickname",
    ['=HYPERLINK("https://evil.example","Cliquez")', "+33 6 12 34 56 78", "-2+3", "@SOMME(A1:A9)", "\tcaché"],
)
async def test_a_nickname_shaped_as_a_formula_is_inert_in_the_registrants_csv(world: World, nickname: str) -> None:
    number = await approved_fabrique(world)
    slot = await add_slot(world, local_date(world, 20))
    await world.moderator.slash(world.general, "equipe lien-zoom", fabrique=number, url=ZOOM)
    await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    tricky = world.guild.add_member(world.env.create_user("piege"), roles=[world.member_role], nick=nickname)
    await tricky.click(world.agenda.last_message, label="S'inscrire")

    listing = said(await world.alice.slash(world.general, "fabrique inscrits", fabrique=number))

    rows = list(csv.reader(io.StringIO((await listing.attachments[0].read()).decode("utf-8-sig"))))
    [row] = [row for row in rows[1:] if row[0] == str(tricky.id)]
    assert row[1] == f"'{nickname}"
    assert_refused(world.env)
