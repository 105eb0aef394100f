"""The .ics files: what a calendar application reads back from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.integrations.calendar import PRODUCT_ID, CalendarEntry, calendar_file

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

FIRST = CalendarEntry(
    uid="fabrique-12@example.org",
    title="Les tiers-lieux culturels",
    description="Partager nos pratiques de médiation.",
    location="Zoom — lien envoyé aux inscrits",
    start=datetime(2027, 5, 4, 12, 0, tzinfo=UTC),
    end=datetime(2027, 5, 4, 14, 0, tzinfo=UTC),
    stamp=STAMP,
)
SECOND = CalendarEntry(
    uid="fabrique-13@example.org",
    title="Atelier annulé",
    description="Plus de place.",
    location="Zoom — lien envoyé aux inscrits",
    start=datetime(2027, 6, 1, 14, 30, tzinfo=PARIS),
    end=datetime(2027, 6, 1, 16, 0, tzinfo=PARIS),
    stamp=STAMP,
    cancelled=True,
)


def parse(data: bytes) -> tuple[Calendar, list]:
    calendar = Calendar.from_ical(data)
    return calendar, [component for component in calendar.walk() if component.name == "VEVENT"]


def test_two_entries_give_two_events() -> None:
    data = calendar_file([FIRST, SECOND], "Agenda des Fabriques")
    assert isinstance(data, bytes)
    calendar, events = parse(data)

    assert calendar.name == "VCALENDAR"
    assert str(calendar["prodid"]) == PRODUCT_ID
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "Agenda des Fabriques"
    assert len(events) == 2
    assert [str(event["uid"]) for event in events] == [FIRST.uid, SECOND.uid]


def test_times_read_back_equal_the_given_aware_datetimes() -> None:
    _, events = parse(calendar_file([FIRST, SECOND], "Agenda"))
    for event, entry in zip(events, [FIRST, SECOND], strict=True):
        start = event.decoded("dtstart")
        end = event.decoded("dtend")
        stamp = event.decoded("dtstamp")
        assert start.tzinfo is not None
        assert end.tzinfo is not None
        assert start == entry.start
        assert end == entry.end
        assert stamp == entry.stamp
        assert end - start == entry.end - entry.start
    assert events[1].decoded("dtstart") == datetime(2027, 6, 1, 12, 30, tzinfo=UTC)
    assert events[1].decoded("dtend") - events[1].decoded("dtstart") == timedelta(minutes=90)


def test_status_tells_cancelled_from_confirmed() -> None:
    _, events = parse(calendar_file([FIRST, SECOND], "Agenda"))
    assert [str(event["status"]) for event in events] == ["CONFIRMED", "CANCELLED"]


def test_summary_description_and_location_are_kept() -> None:
    _, events = parse(calendar_file([FIRST], "Agenda"))
    (event,) = events
    assert str(event["summary"]) == FIRST.title
    assert str(event["description"]) == FIRST.description
    assert str(event["location"]) == FIRST.location


def test_text_with_commas_semicolons_and_newlines_round_trips() -> None:
    tricky = CalendarEntry(
        uid="fabrique-14@example.org",
        title="Arpentage ; lecture, partage\net « synthèse »",
        description="Objectifs : lire, discuter; produire.\nPublic : médiateur·ices, artistes\\régisseurs.\n\nFin.",
        location="Zoom, salle 1; étage 2\nlien envoyé",
        start=datetime(2027, 5, 4, 12, 0, tzinfo=UTC),
        end=datetime(2027, 5, 4, 13, 30, tzinfo=UTC),
        stamp=STAMP,
    )
    data = calendar_file([tricky], "Agenda, été ; 2027")
    calendar, events = parse(data)
    (event,) = events
    assert str(event["summary"]) == tricky.title
    assert str(event["description"]) == tricky.description
    assert str(event["location"]) == tricky.location
    assert str(calendar["x-wr-calname"]) == "Agenda, été ; 2027"
    # Escaped on the wire: a raw newline inside a value would start a new property.
    assert b"lecture\\, partage\\net" in data.replace(b"\r\n ", b"")


def test_long_lines_are_folded_and_unfolded() -> None:
    long = CalendarEntry(
        uid="fabrique-15@example.org",
        title="Titre",
        description="é" * 300,
        location="Zoom",
        start=datetime(2027, 5, 4, 12, 0, tzinfo=UTC),
        end=datetime(2027, 5, 4, 13, 30, tzinfo=UTC),
        stamp=STAMP,
    )
    data = calendar_file([long], "Agenda")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    _, events = parse(data)
    assert str(events[0]["description"]) == "é" * 300


def test_an_empty_agenda_is_a_valid_calendar() -> None:
    calendar, events = parse(calendar_file([], "Agenda"))
    assert calendar.name == "VCALENDAR"
    assert events == []
