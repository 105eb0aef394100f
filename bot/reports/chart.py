"""The bilan's image: six panels drawn with matplotlib, for a phone screen first.

Pure CPU work (no I/O, no event loop), run in a child process (``bot.reports.child``). It uses matplotlib's
object-oriented API on a ``Figure`` of its own with the Agg canvas, never ``pyplot``'s global state, so a drawing
depends on nothing but its figures. The palette is Okabe–Ito's (told apart with every common colour-blindness),
the labels are the catalogue's, and the layout is matplotlib's constrained one, which keeps labels from
overlapping.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display, ever: the bot runs headless

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain.bilan import Figures
from bot.domain.proposal import Format
from bot.i18n import I18n

# Okabe & Ito (2008), « Color Universal Design »: one colour per format, in the enum's order.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
FORMAT_COLOURS = dict(zip(Format, OKABE_ITO, strict=False))
WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.8, 16.0, 100  # 1080 × 1600 px: a phone's width, read without zooming
FONT_SIZE = 15


def draw(figures: Figures, i18n: I18n) -> bytes:
    """The PNG of ``figures``, with French (catalogue) labels."""
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    with matplotlib.rc_context({"font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 2, "axes.titleweight": "bold"}):
        grid = figure.add_gridspec(3, 2, height_ratios=(1.3, 1, 1))
        figure.suptitle(
            i18n("bilan.chart.title", start=_day(figures.period.start), end=_day(figures.period.end)),
            fontsize=FONT_SIZE + 5,
            fontweight="bold",
        )
        _held_per_month(figure.add_subplot(grid[0, :]), figures, i18n)
        _registrations(figure.add_subplot(grid[1, 0]), figures, i18n)
        _attendance(figure.add_subplot(grid[1, 1]), figures, i18n)
        _delays(figure.add_subplot(grid[2, 0]), figures, i18n)
        _kinds(figure.add_subplot(grid[2, 1]), figures, i18n)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _day(moment: object) -> str:
    return f"{moment:%d/%m/%Y}"


def _held_per_month(axes: Axes, figures: Figures, i18n: I18n) -> None:
    axes.set_title(i18n("bilan.chart.held", count=figures.held))
    names = i18n("bilan.chart.months").split(",")
    many_years = len({year for year, _ in figures.months}) > 1
    labels = [
        f"{names[month - 1]}\n{year}" if many_years and (month == 1 or i == 0) else names[month - 1]
        for i, (year, month) in enumerate(figures.months)
    ]
    positions = list(range(len(labels)))
    bottom = [0] * len(labels)
    for fmt, counts in figures.held_by_month.items():
        if any(counts):
            axes.bar(positions, counts, bottom=bottom, color=FORMAT_COLOURS[fmt], label=i18n(f"format.{fmt.value}"))
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_xticks(positions, labels, rotation=90 if len(labels) > 14 else 0)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylabel(i18n("bilan.chart.sessions"))
    axes.set_ylim(0, max(max(bottom), 1) * 1.4)  # room above the bars for the legend
    if figures.held:
        axes.legend(loc="upper left", fontsize=FONT_SIZE - 3, ncols=2, frameon=False)
    else:
        _nothing(axes, i18n)
    axes.spines[["top", "right"]].set_visible(False)


def _registrations(axes: Axes, figures: Figures, i18n: I18n) -> None:
    rate = figures.fill_rate
    axes.set_title(i18n("bilan.chart.fill", rate=_percent(rate)) if rate is not None else i18n("bilan.chart.fill_none"))
    labels = [i18n("bilan.chart.places"), i18n("bilan.chart.seated"), i18n("bilan.chart.waitlisted")]
    values = [figures.places, figures.seated, figures.waitlisted]
    _bars(axes, labels, values, (OKABE_ITO[1], OKABE_ITO[4], OKABE_ITO[5]), i18n)


def _attendance(axes: Axes, figures: Figures, i18n: I18n) -> None:
    rate = figures.attendance_rate
    title = i18n("bilan.chart.attendance", rate=_percent(rate)) if rate is not None else i18n("bilan.chart.no_zoom")
    axes.set_title(title)
    labels = [i18n("bilan.chart.seated"), i18n("bilan.chart.participants")]
    values = [figures.seated_with_attendance, figures.attended]
    _bars(axes, labels, values, (OKABE_ITO[4], OKABE_ITO[2]), i18n)


def _delays(axes: Axes, figures: Figures, i18n: I18n) -> None:
    spread = figures.delay
    if spread is None:
        axes.set_title(i18n("bilan.chart.delay_none"))
        axes.set_axis_off()
        _nothing(axes, i18n)
        return
    axes.set_title(i18n("bilan.chart.delay", median=f"{spread.median:.1f}".replace(".", ",")))
    axes.boxplot(
        figures.delays,
        orientation="horizontal",
        widths=0.5,
        patch_artist=True,
        boxprops={"facecolor": OKABE_ITO[1]},
        medianprops={"color": OKABE_ITO[7], "linewidth": 2.5},
    )
    share = _percent(figures.in_time_share or 0.0)
    label = i18n("bilan.chart.in_time", days=figures.deadline_days, share=share)
    axes.axvline(figures.deadline_days, color=OKABE_ITO[5], linestyle="--", linewidth=2, label=label)
    axes.set_yticks([])
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    axes.set_xlabel(i18n("bilan.chart.days"))
    axes.spines[["top", "right"]].set_visible(False)


def _kinds(axes: Axes, figures: Figures, i18n: I18n) -> None:
    axes.set_title(i18n("bilan.chart.kinds"))
    labels = [i18n("bilan.chart.single"), i18n("bilan.chart.series_sessions"), i18n("bilan.chart.welcome")]
    values = [figures.single_sessions, figures.series_sessions, figures.welcome]
    _bars(axes, labels, values, (OKABE_ITO[0], OKABE_ITO[6], OKABE_ITO[3]), i18n)


def _bars(axes: Axes, labels: list[str], values: list[int], colours: tuple[str, ...], i18n: I18n) -> None:
    """Horizontal bars with their value written at the end: long French labels stay on one line each."""
    positions = list(range(len(labels)))
    bars = axes.barh(positions, values, color=colours, edgecolor=OKABE_ITO[7], linewidth=0.8)
    axes.bar_label(bars, labels=[str(value) for value in values], padding=4)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlim(0, max(max(values), 1) * 1.3)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    if not any(values):
        _nothing(axes, i18n)


def _nothing(axes: Axes, i18n: I18n) -> None:
    axes.text(0.5, 0.5, i18n("bilan.chart.empty"), transform=axes.transAxes, ha="center", va="center", alpha=0.7)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"
