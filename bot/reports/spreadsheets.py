"""The bilan's spreadsheet: one row per held session, as ``.xlsx`` and as the ``.csv`` French spreadsheets expect.

Every text cell goes through ``spreadsheet_cell``, in both files: a title such as ``=HYPERLINK(…)`` stays text in
Excel, LibreOffice and Google Sheets (openpyxl would otherwise store it as a formula). The CSV is UTF-8 with a BOM
(how Excel recognises UTF-8) and ``;``-separated (the separator of French locales, where ``,`` is the decimal one).
"""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from bot.domain.bilan import SessionLine
from bot.domain.series import SessionNumber
from bot.domain.text import spreadsheet_cell
from bot.i18n import I18n

COLUMNS = (
    "number",
    "title",
    "format",
    "parcours",
    "organizers",
    "date",
    "duration",
    "places",
    "seated",
    "waitlisted",
    "attended",
    "documented",
    "article",
)

Cell = str | int


def table(lines: list[SessionLine], i18n: I18n, tz: ZoneInfo) -> tuple[list[str], list[list[Cell]]]:
    """The header and the rows, numbers as ints and texts already inert; an empty cell is ``""``."""
    header = [spreadsheet_cell(i18n(f"bilan.column.{column}")) for column in COLUMNS]
    return header, [_row(line, i18n, tz) for line in lines]


def _row(line: SessionLine, i18n: I18n, tz: ZoneInfo) -> list[Cell]:
    number = SessionNumber.of(line.id, line.series_id, line.series_rank, line.series_size)
    texts = {
        "number": i18n("bilan.number", number=number),
        "title": line.title,
        "format": i18n(f"format.{line.format.value}"),
        "parcours": i18n("bilan.welcome") if line.is_welcome else i18n(f"parcours.{line.parcours.value}"),
        "organizers": line.organizers,
        "date": f"{line.starts_at.astimezone(tz):%d/%m/%Y %H:%M}",
        "documented": f"{line.documented_at.astimezone(tz):%d/%m/%Y}" if line.documented_at else "",
        "article": line.article_link or "",
    }
    numbers = {
        "duration": line.duration_minutes,
        "places": line.capacity,
        "seated": line.seated,
        "waitlisted": line.waitlisted,
        "attended": line.attended,
    }
    row: list[Cell] = []
    for column in COLUMNS:
        if column in texts:
            row.append(spreadsheet_cell(texts[column]))
        else:
            value = numbers[column]
            row.append("" if value is None else value)
    return row


def to_csv(header: list[str], rows: list[list[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[spreadsheet_cell(str(cell)) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], rows: list[list[Cell]], sheet_title: str) -> bytes:
    """Written in openpyxl's streaming (write-only) mode: a year of 2,000 rows in a fraction of the time, and in
    little memory, in the child process that makes the bilan."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])  # 31 characters: Excel's limit
    sheet.freeze_panes = "A2"
    bold = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
