"""The bilan's CPU work, run in the child process (``bot.reports.child``): lines, figures, image, spreadsheets."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.bilan import BilanFiles, BilanRead, Period, figures, lines
from bot.i18n import I18n
from bot.reports import chart, spreadsheets


def make(read: BilanRead, period: Period, tz: ZoneInfo, deadline_days: int, i18n: I18n, export: bool) -> BilanFiles:
    """Everything the team receives but the text, from what the database gave; ``export`` adds the spreadsheets."""
    made = lines(read)
    summed = figures(made, period, tz, deadline_days)
    image = chart.draw(summed, i18n)
    if not export:
        return BilanFiles(summed, image, None, None)
    header, rows = spreadsheets.table(made, i18n, tz)
    return BilanFiles(
        summed,
        image,
        spreadsheets.to_xlsx(header, rows, i18n("bilan.sheet")),
        spreadsheets.to_csv(header, rows),
    )
