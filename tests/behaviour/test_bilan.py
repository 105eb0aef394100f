"""Issue 16, the team's year at a glance, through Discord, on a year lived through the bot (tests/behaviour/
bilan_year.py): `/equipe bilan` answers the team with one image and its figures in words, `exporter` adds the
spreadsheets (read back, they are the history), `publier` posts it in the team channel, the month's image comes
once after the month even when the bot was away on the first, and nobody else gets it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image

from bot.config import Settings
from tests.behaviour.bilan_year import Year, YearStory, year_world
from tests.behaviour.builders import bot_away, move_to
from tests.behaviour.conftest import World, close, said
from tests.bilan_history import PARIS, History
from tests.support import assert_refused

MONTHLY = "📊 Le bilan du mois :"
YEAR = 2026  # SimCord's clock starts on 1 January 2026


async def a_year(year: Year, sessions: int = 40) -> History:
    """A year of Fabriques lived from January to November, three welcome sessions among them."""
    story = YearStory(year, seed=16)
    return await story.live(story.plan(date(YEAR, 1, 19), date(YEAR, 11, 20), sessions))


async def a_month(year: Year) -> History:
    """Three sessions held in February, each documented within days or not at all: nothing left for March."""
    story = YearStory(year, seed=3)
    return await story.live(story.plan(date(YEAR, 2, 2), date(YEAR, 2, 16), 3, within=4), welcome_months=())


def monthly_posts(world: World) -> list:
    return [message for message in world.team_channel.history() if message.content.startswith(MONTHLY)]


async def test_a_year_is_one_image_its_figures_in_words_and_a_spreadsheet_that_is_the_history(
    tmp_path: Path,
) -> None:
    async with year_world(tmp_path) as year:
        history = await a_year(year)
        world = year.world
        assert history.series and history.welcome == 3 and 0 < history.documented < history.held
        posted = len(world.team_channel.history())

        answer = said(await world.moderator.slash(world.general, "equipe bilan"))
        (image,) = answer.attachments
        assert image.filename == f"bilan-{YEAR}-01-01-{YEAR}-12-31.png"
        png = Image.open(io.BytesIO(await image.read()))
        assert png.format == "PNG" and png.size == (1080, 1600)
        assert len(png.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50  # drawn, not a blank page
        assert f"Bilan du 01/01/{YEAR} au 31/12/{YEAR}" in answer.content
        assert f"{history.held} Fabrique(s) tenue(s)" in answer.content
        assert f"{history.series_sessions} séance(s) de {history.series} série(s)" in answer.content
        assert f"{history.welcome} séance(s) d'accueil à part" in answer.content
        assert f"{history.documented} documentée(s)" in answer.content
        assert len(world.team_channel.history()) == posted  # ephemeral: nothing posted for everyone

        exported = said(
            await world.moderator.slash(
                world.general, "equipe bilan", debut=f"01/01/{YEAR}", fin=f"31/12/{YEAR}", exporter=True
            )
        )
        by_kind = {attachment.filename.rsplit(".", 1)[1]: attachment for attachment in exported.attachments}
        assert sorted(by_kind) == ["csv", "png", "xlsx"]
        raw = await by_kind["csv"].read()
        assert raw.startswith(b"\xef\xbb\xbf")
        header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
        assert header[:2] == ["Numéro", "Titre"] and header[-1] == "Article"
        assert rows == history.rows
        assert any(row[1].startswith("'=") for row in rows)  # the formula title stays text
        sheet = load_workbook(io.BytesIO(await by_kind["xlsx"].read())).worksheets[0]
        cells = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        assert cells == [header, *rows]
        assert f"{history.seated} inscrit·es pour" in answer.content
        assert_refused(world.env)


async def test_a_period_typed_wrong_is_refused_politely(world: World, settings: Settings) -> None:
    await world.moderator.slash(world.general, "equipe bilan", debut="01/01/2026")
    await world.moderator.slash(world.general, "equipe bilan", debut="1er janvier", fin="31/12/2026")
    answer = said(await world.moderator.slash(world.general, "equipe bilan", debut="01/06/2026", fin="01/01/2026"))
    assert "inversez les deux dates" in answer.content and not answer.attachments
    assert_refused(world.env, "error.bilan.both_dates", "error.bilan.date", "error.bilan.order")


async def test_members_and_people_without_a_role_are_refused_and_publier_posts_for_the_team(tmp_path: Path) -> None:
    async with year_world(tmp_path) as year:
        history = await a_month(year)
        world = year.world
        before = [message.id for message in world.team_channel.history()]
        for person in (world.alice, world.outsider):
            answer = said(await person.slash(world.general, "equipe bilan", exporter=True, publier=True))
            assert answer.content == "Seule l'équipe peut faire cela." and not answer.attachments
        assert [message.id for message in world.team_channel.history()] == before
        assert_refused(world.env, "error.team_only", "error.team_only")

        answer = said(await world.moderator.slash(world.general, "equipe bilan", publier=True))
        assert answer.content == "Le bilan est publié dans le salon de l'équipe."
        posted = world.team_channel.history()[-1]
        assert f"{history.held} Fabrique(s) tenue(s)" in posted.content
        assert [a.filename for a in posted.attachments] == [f"bilan-{YEAR}-01-01-{YEAR}-12-31.png"]


async def test_the_month_s_image_comes_once_when_the_bot_is_back_after_the_first(tmp_path: Path) -> None:
    """The bot ran in February and was down from the 20th to the 3rd of March: back, it posts February's image,
    once, and a restart after that posts nothing more."""
    async with year_world(tmp_path, monthly=True) as year:
        world = year.world
        await a_month(year)
        await move_to(world, datetime(YEAR, 2, 20, 9, tzinfo=PARIS).astimezone(UTC))
        assert monthly_posts(world) == []
        async with bot_away(world.env, year.settings, start=year.bot):
            await world.env.advance_time(timedelta(days=11, hours=2).total_seconds())  # 3 March, 11:00
        await world.env.bot.run_due_work()
        (post,) = monthly_posts(world)
        assert post.content.startswith(f"{MONTHLY} février {YEAR}")
        assert [a.filename for a in post.attachments] == [f"bilan-{YEAR}-02-01-{YEAR}-02-28.png"]
        assert Image.open(io.BytesIO(await post.attachments[0].read())).size == (1080, 1600)

        old = world.env.bot
        await world.env.restart_bot(year.bot())
        await close(old)
        await move_to(world, world.env.now() + timedelta(hours=1))
        assert monthly_posts(world) == [post]


async def test_a_bot_running_across_midnight_of_the_first_posts_the_month_once(tmp_path: Path) -> None:
    async with year_world(tmp_path, monthly=True) as year:
        world = year.world
        await a_month(year)
        await move_to(world, datetime(YEAR, 2, 28, 23, 55, tzinfo=PARIS).astimezone(UTC))
        assert monthly_posts(world) == []
        await move_to(world, datetime(YEAR, 3, 1, 0, 5, tzinfo=PARIS).astimezone(UTC))
        await move_to(world, datetime(YEAR, 3, 2, 9, tzinfo=PARIS).astimezone(UTC))
        (post,) = monthly_posts(world)
        assert post.content.startswith(f"{MONTHLY} février {YEAR}")
