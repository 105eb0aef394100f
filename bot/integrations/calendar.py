"""iCalendar (.ics) files for one session or the whole agenda, readable by every calendar application.

The Zoom link is never written here: an .ics file is shared publicly with the announcement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

PRODUCT_ID = "-//Fabrique//Fabriques collectives//FR"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable per session, so a re-imported file updates the event instead of duplicating it
    title: str
    description: str
    location: str
    start: datetime
    end: datetime
    stamp: datetime
    cancelled: bool = False


def calendar_file(entries: Iterable[CalendarEntry], name: str, *, refresh: timedelta | None = None) -> bytes:
    """``refresh``: how often a subscribed calendar should fetch the file again (for a feed, not a one-off file)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", refresh)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("summary", entry.title)
        event.add("description", entry.description)
        event.add("location", entry.location)
        event.add("dtstart", entry.start)
        event.add("dtend", entry.end)
        event.add("dtstamp", entry.stamp)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
