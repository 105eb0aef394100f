"""Issue 16, the team's year at a glance: the figures of a period, the refusals of a period typed wrong, the image,
the spreadsheets read back, the service on a real database (a constant number of statements), the monthly post
made once across a restart."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db import migrate
from bot.db.repositories import HELD_BATCH
from bot.domain.bilan import Period, SessionLine, figures, month_of, period_of
from bot.domain.proposal import FabriqueKind, Format, Parcours
from bot.errors import Forbidden, InvalidInput
from bot.i18n import I18n
from bot.reports import chart, child, spreadsheets
from bot.services import Services
from tests.bilan_history import PARIS, write_year
from tests.conftest import GUILD_ID, make_settings
from tests.ports import FakeMessenger, fake_ports, services_on
from tests.unit.builders import ALICE, TEAM, configure

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


def line(n: int, start: datetime, **values: object) -> SessionLine:
    defaults: dict[str, object] = {
        "id": n, "series_id": None, "series_rank": 1, "series_size": 1, "kind": FabriqueKind.FABRIQUE,
        "title": f"Fabrique {n}", "format": Format.ATELIER, "parcours": Parcours.CLASSIQUE, "organizers": "Alice",
        "starts_at": start, "duration_minutes": 120, "capacity": 10, "seated": 5, "waitlisted": 0, "attended": None,
        "documented_at": None, "article_link": None,
    }  # fmt: skip
    return SessionLine(**{**defaults, **values})  # type: ignore[arg-type]


def at(month: int, day: int = 10) -> datetime:
    return datetime(2026, month, day, 18, tzinfo=UTC)


# --- the period typed -------------------------------------------------------------------------------------------


def test_no_dates_is_the_current_year_and_both_dates_are_a_period() -> None:
    assert period_of(None, None, date(2026, 7, 14)) == YEAR
    assert period_of("01/04/2026", " 30/06/2026 ", date(2026, 7, 14)) == Period(date(2026, 4, 1), date(2026, 6, 30))
    assert month_of(date(2026, 12, 31)) == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert month_of(date(2027, 2, 14)) == Period(date(2027, 2, 1), date(2027, 2, 28))


@pytest.mark.parametrize(
    ("debut", "fin", "key"),
    [
        ("01/01/2026", None, "error.bilan.both_dates"),
        (None, "31/12/2026", "error.bilan.both_dates"),
        ("2026-01-01", "31/12/2026", "error.bilan.date"),
        ("31/02/2026", "31/12/2026", "error.bilan.date"),
        ("01/06/2026", "01/01/2026", "error.bilan.order"),
    ],
)
def test_a_period_typed_wrong_is_refused_with_its_reason(debut: str | None, fin: str | None, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        period_of(debut, fin, date(2026, 7, 14))
    assert refused.value.key == key
    assert I18n("fr")(key, **refused.value.params)  # the French text exists and takes these parameters
    assert I18n("en")(key, **refused.value.params)


# --- the figures ------------------------------------------------------------------------------------------------


def test_figures_count_sessions_per_month_by_format_and_keep_welcome_and_series_apart() -> None:
    lines = [
        line(1, at(1), format=Format.ARPENTAGE),
        line(2, at(1, 20)),
        line(3, at(3), series_id=3, series_rank=1, series_size=2),
        line(4, at(4), series_id=3, series_rank=2, series_size=2),
        line(5, at(4), kind=FabriqueKind.WELCOME),
        line(6, datetime(2025, 12, 31, 23, 30, tzinfo=UTC)),  # already 1 January in Paris: inside
        line(7, datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),  # 1 January 2027 in Paris: outside
    ]
    summed = figures(lines, YEAR, PARIS, 14)
    assert summed.held == 5 and summed.welcome == 1
    assert (summed.single_sessions, summed.series_sessions, summed.series) == (3, 2, 1)
    assert summed.held_by_month[Format.ATELIER][:4] == [2, 0, 1, 1]
    assert summed.held_by_month[Format.ARPENTAGE][0] == 1
    assert len(summed.months) == 12


def test_fill_rate_counts_limited_sessions_only_and_attendance_only_where_zoom_counted() -> None:
    lines = [
        line(1, at(2), capacity=10, seated=10, waitlisted=3, attended=8),
        line(2, at(2), capacity=20, seated=5),
        line(3, at(2), capacity=0, seated=40, attended=None),
    ]
    summed = figures(lines, YEAR, PARIS, 14)
    assert (summed.places, summed.seated_limited, summed.seated, summed.waitlisted) == (30, 15, 55, 3)
    assert summed.fill_rate == pytest.approx(0.5)
    assert (summed.attended, summed.seated_with_attendance) == (8, 10)
    assert summed.attendance_rate == pytest.approx(0.8)


def test_documentation_delay_is_measured_from_the_end_with_its_median_and_spread() -> None:
    def documented(n: int, days: float) -> SessionLine:
        start = at(5)
        return line(n, start, documented_at=start + timedelta(minutes=120, days=days))

    lines = [documented(1, 2), documented(2, 4), documented(3, 10), documented(4, 30), line(5, at(5))]
    summed = figures(lines, YEAR, PARIS, 14)
    assert summed.delays == pytest.approx([2, 4, 10, 30])
    assert summed.delay is not None
    assert summed.delay.median == pytest.approx(7)
    assert (summed.delay.low, summed.delay.high) == (pytest.approx(3.5), pytest.approx(15))
    assert (summed.documented, summed.documented_in_time) == (4, 3)
    assert summed.in_time_share == pytest.approx(3 / 5)  # of the sessions held, not of those documented


def test_an_empty_period_has_no_rates_and_still_draws_every_panel() -> None:
    summed = figures([], YEAR, PARIS, 14)
    assert summed.fill_rate is None and summed.attendance_rate is None and summed.delay is None
    image = Image.open(io.BytesIO(chart.draw(summed, I18n("fr"))))
    assert image.size == (1080, 1600)


# --- the image and the spreadsheets ---------------------------------------------------------------------------


def panel_has_ink(image: Image.Image, box: tuple[float, float, float, float]) -> bool:
    """Whether a region (fractions of the image) holds more than a background: several distinct colours."""
    width, height = image.size
    region = image.convert("RGB").crop(
        (int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height))
    )
    return len(region.getcolors(maxcolors=1 << 20) or []) > 20


def test_the_image_is_phone_sized_with_six_non_empty_panels() -> None:
    lines = [
        line(
            n,
            at(1 + n % 12),
            format=list(Format)[n % 6],
            attended=3,
            documented_at=at(1 + n % 12) + timedelta(days=n % 20),
        )
        for n in range(1, 40)
    ]
    image = Image.open(io.BytesIO(chart.draw(figures(lines, YEAR, PARIS, 14), I18n("fr"))))
    assert image.format == "PNG" and image.size == (1080, 1600)
    panels = [(0, 0.03, 1, 0.4), (0, 0.4, 0.5, 0.68), (0.5, 0.4, 1, 0.68), (0, 0.68, 0.5, 1), (0.5, 0.68, 1, 1)]
    assert all(panel_has_ink(image, box) for box in panels)


def test_the_spreadsheets_read_back_as_written_with_formulas_made_inert() -> None:
    lines = [
        line(1, at(3), title='=HYPERLINK("http://evil")', organizers="@Bob, Alice"),
        line(7, at(4), series_id=5, series_rank=2, series_size=3, attended=4, documented_at=at(4, 20),
             article_link="https://tmnlab.example/x"),
    ]  # fmt: skip
    header, rows = spreadsheets.table(lines, I18n("fr"), PARIS)
    text = spreadsheets.to_csv(header, rows)
    assert text.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert read[0][:3] == ["Numéro", "Titre", "Format"]
    assert read[1][:2] == ["n°1", '\'=HYPERLINK("http://evil")']
    assert read[1][4] == "'@Bob, Alice"
    assert read[2] == [
        "n°5 · séance 2/3", "Fabrique 7", "Atelier", "Classique (quelques jours de préparation)", "Alice",
        "10/04/2026 20:00", "120", "10", "5", "0", "4", "20/04/2026", "https://tmnlab.example/x",
    ]  # fmt: skip
    sheet = load_workbook(io.BytesIO(spreadsheets.to_xlsx(header, rows, "Bilan"))).worksheets[0]
    cells = [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == read
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula at all


# --- the service, on a real database ---------------------------------------------------------------------------


async def test_the_bilan_reads_the_year_back_in_a_constant_number_of_statements(
    services: Services, engine: AsyncEngine
) -> None:
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    history = await write_year(engine, GUILD_ID, 2026, 12, seed=1)
    statements.clear()
    small = await services.bilan.report(GUILD_ID, TEAM, "01/01/2026", "31/12/2026", export=True)
    few = len(statements)
    await write_year(engine, GUILD_ID, 2026, HELD_BATCH + 50, seed=2)
    statements.clear()
    await services.bilan.report(GUILD_ID, TEAM, "01/01/2026", "31/12/2026")
    assert len(statements) == few  # 20× the sessions, read in two batches: the same statements
    assert small.figures.held == history.held and small.figures.welcome == history.welcome
    assert small.figures.seated == history.seated and small.figures.documented == history.documented
    csv_file = next(f for f in small.files if f.filename.endswith(".csv"))
    rows = list(csv.reader(io.StringIO(csv_file.data.decode("utf-8-sig")), delimiter=";"))[1:]
    assert rows == history.rows
    assert [f.filename.rsplit(".", 1)[1] for f in (small.image, *small.files)] == ["png", "xlsx", "csv"]


async def test_the_bilan_is_made_in_a_child_process_whose_failures_come_back() -> None:
    assert await child.in_child("os", "getpid") != os.getpid()  # the drawing never holds the bot's event loop
    with pytest.raises(ValueError):
        await child.in_child("builtins", "int", "pas un nombre")


async def test_members_are_refused_the_bilan(services: Services) -> None:
    with pytest.raises(Forbidden) as refused:
        await services.bilan.report(GUILD_ID, ALICE)
    assert refused.value.key == "error.team_only"


async def test_the_monthly_post_is_made_once_even_after_a_restart(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    await migrate.upgrade(engine)
    settings = make_settings(tmp_path, database_url)
    await write_year(engine, GUILD_ID, 2026, 40, seed=3)
    now = [datetime(2026, 6, 20, 9, tzinfo=UTC)]  # the bot runs in June…

    def started(messenger: FakeMessenger) -> Services:
        return services_on(engine, settings, lambda: now[0], ports=fake_ports(messenger=messenger))

    messenger = FakeMessenger()
    first = started(messenger)
    await configure(first)
    assert await first.bilan.post_monthly() == 0  # June's post is owed from 1 July
    now[0] = datetime(2026, 6, 30, 22, 5, tzinfo=UTC)  # …and on 1 July, 00:05 in Paris
    assert await first.bilan.post_monthly() == 1
    assert await first.bilan.post_monthly() == 0
    restarted = FakeMessenger()
    assert await started(restarted).bilan.post_monthly() == 0  # a new bot on the same database
    assert restarted.team == []
    ((guild, text),) = messenger.team
    assert guild == GUILD_ID and text.startswith("📊 Le bilan du mois : juin 2026\n")
    assert [f.filename for f in messenger.team_files] == ["bilan-2026-06-01-2026-06-30.png"]


async def test_a_month_the_bot_ran_in_is_posted_when_it_comes_back_and_no_other(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    """Away for the whole first of the month, the bot owes the month it ran in; a fresh database owes nothing."""
    await migrate.upgrade(engine)
    settings = make_settings(tmp_path, database_url)
    await write_year(engine, GUILD_ID, 2026, 40, seed=5)

    def at(moment: datetime, messenger: FakeMessenger) -> Services:
        return services_on(engine, settings, lambda: moment, ports=fake_ports(messenger=messenger))

    messenger = FakeMessenger()
    fresh = at(datetime(2026, 4, 3, 9, tzinfo=UTC), messenger)
    await configure(fresh)
    assert await fresh.bilan.post_monthly() == 0  # March held sessions, but this bot never ran in March
    assert await at(datetime(2026, 4, 28, 9, tzinfo=UTC), messenger).bilan.post_monthly() == 0
    assert await at(datetime(2026, 5, 5, 9, tzinfo=UTC), messenger).bilan.post_monthly() == 1  # back on 5 May
    assert await at(datetime(2026, 5, 6, 9, tzinfo=UTC), messenger).bilan.post_monthly() == 0
    assert [text.splitlines()[0] for _, text in messenger.team] == ["📊 Le bilan du mois : avril 2026"]


async def test_the_monthly_post_can_be_turned_off(engine: AsyncEngine, database_url: str, tmp_path: Path) -> None:
    await migrate.upgrade(engine)
    settings = make_settings(tmp_path, database_url)
    off = settings.model_copy(update={"bilan": settings.bilan.model_copy(update={"monthly": False})})
    await write_year(engine, GUILD_ID, 2026, 10, seed=4)
    messenger = FakeMessenger()
    services = services_on(
        engine, off, lambda: datetime(2026, 12, 1, 9, tzinfo=UTC), ports=fake_ports(messenger=messenger)
    )
    assert await services.bilan.post_monthly() == 0
    assert services.bilan.next_due() is None
    assert messenger.team == []


def test_every_bilan_key_exists_in_both_languages() -> None:
    assert Settings().bilan.monthly is True
    fr, en = I18n("fr"), I18n("en")
    for column in spreadsheets.COLUMNS:
        assert fr(f"bilan.column.{column}") and en(f"bilan.column.{column}")
