"""Issue 16, the team's year at a glance, through Discord: `/equipe bilan` answers the team with one image and its
figures in words, `exporter` adds the spreadsheets (read back, they are the history), `publier` posts it in the team
channel, the first of the month brings last month's image once even across a restart, and nobody else gets it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from PIL import Image

from bot.config import Settings
from bot.db.engine import create_engine
from tests.behaviour.builders import move_to
from tests.behaviour.conftest import World, restart, said
from tests.bilan_history import PARIS, History, write_year
from tests.conftest import GUILD_ID
from tests.support import assert_refused

MONTHLY = "📊 Le bilan du mois de"


async def a_year(world: World, settings: Settings, sessions: int = 60) -> tuple[int, History]:
    """A year of held sessions (the current one on SimCord's clock), written as the workflow leaves them."""
    year = world.env.now().astimezone(PARIS).year
    engine = create_engine(settings.database.url)
    try:
        return year, await write_year(engine, GUILD_ID, year, sessions)
    finally:
        await engine.dispose()


def monthly_posts(world: World) -> list:
    return [message for message in world.team_channel.history() if message.content.startswith(MONTHLY)]


async def test_the_team_gets_the_year_as_one_image_and_the_same_figures_in_words(
    world: World, settings: Settings
) -> None:
    year, history = await a_year(world, settings)
    answer = said(await world.moderator.slash(world.general, "equipe bilan"))
    (image,) = answer.attachments
    assert image.filename == f"bilan-{year}-01-01-{year}-12-31.png"
    png = Image.open(io.BytesIO(await image.read()))
    assert png.format == "PNG" and png.size == (1080, 1600)
    assert len(png.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50  # drawn, not a blank page
    assert f"Bilan du 01/01/{year} au 31/12/{year}" in answer.content
    assert f"{history.held} Fabrique(s) tenue(s)" in answer.content
    assert f"{history.welcome} séance(s) d'accueil à part" in answer.content
    assert f"{history.series_sessions} séance(s) de {history.series} série(s)" in answer.content
    assert world.team_channel.history() == []  # ephemeral: nothing posted for everyone
    assert_refused(world.env)


async def test_the_export_read_back_is_the_history_in_both_formats(world: World, settings: Settings) -> None:
    year, history = await a_year(world, settings)
    answer = said(
        await world.moderator.slash(
            world.general, "equipe bilan", debut=f"01/01/{year}", fin=f"31/12/{year}", exporter=True
        )
    )
    by_kind = {attachment.filename.rsplit(".", 1)[1]: attachment for attachment in answer.attachments}
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


async def test_a_period_typed_wrong_is_refused_politely(world: World, settings: Settings) -> None:
    await world.moderator.slash(world.general, "equipe bilan", debut="01/01/2026")
    await world.moderator.slash(world.general, "equipe bilan", debut="1er janvier", fin="31/12/2026")
    answer = said(await world.moderator.slash(world.general, "equipe bilan", debut="01/06/2026", fin="01/01/2026"))
    assert "inversez les deux dates" in answer.content and not answer.attachments
    assert_refused(world.env, "error.bilan.both_dates", "error.bilan.date", "error.bilan.order")


async def test_members_and_people_without_a_role_are_refused(world: World, settings: Settings) -> None:
    await a_year(world, settings, sessions=10)
    for person in (world.alice, world.outsider):
        answer = said(await person.slash(world.general, "equipe bilan"))
        assert answer.content == "Seule l'équipe peut faire cela." and not answer.attachments
    assert_refused(world.env, "error.team_only", "error.team_only")


async def test_publier_posts_the_image_in_the_team_channel(world: World, settings: Settings) -> None:
    year, history = await a_year(world, settings, sessions=20)
    answer = said(await world.moderator.slash(world.general, "equipe bilan", publier=True))
    assert answer.content == "Le bilan est publié dans le salon de l'équipe."
    (posted,) = world.team_channel.history()
    assert f"{history.held} Fabrique(s) tenue(s)" in posted.content
    assert [a.filename for a in posted.attachments] == [f"bilan-{year}-01-01-{year}-12-31.png"]


async def test_the_monthly_post_comes_once_on_the_first_even_across_a_restart(world: World, settings: Settings) -> None:
    year, _ = await a_year(world, settings)
    first_of_january = datetime(year + 1, 1, 1, 0, 5, tzinfo=PARIS).astimezone(UTC)
    await move_to(world, first_of_january)
    await world.env.bot.run_due_work()
    (post,) = monthly_posts(world)
    assert post.content.startswith(f"{MONTHLY} décembre {year}")
    assert [a.filename for a in post.attachments] == [f"bilan-{year}-12-01-{year}-12-31.png"]
    await restart(world.env, settings)
    await move_to(world, first_of_january + timedelta(hours=8))
    assert len(monthly_posts(world)) == 1
