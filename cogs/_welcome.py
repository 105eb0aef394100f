"""What the team reads after ``/equipe accueil``: the rule in words, what changed, the sessions made or kept."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.welcome import WelcomeRule
from bot.i18n import I18n, format_duration
from bot.services.records import FabriqueRecord
from bot.services.welcome import RuleSet, RuleStopped


def rule_set(result: RuleSet, i18n: I18n) -> str:
    """The rule saved (or what changed in it), then the sessions made now, or the next date and when it comes."""
    rule = describe(result.rule, result.announce_days, i18n)
    if result.previous is None:
        lines = [i18n("welcome.rule.set", rule=rule)]
    elif result.changed:
        changes = ", ".join(_change(name, result.previous, result.rule, i18n) for name in result.changed)
        lines = [i18n("welcome.rule.replaced", rule=rule, changes=changes)]
    else:
        lines = [i18n("welcome.rule.unchanged", rule=rule)]
    made_ids = {record.id for record in result.made}
    if result.made:
        lines += [i18n("welcome.done", count=len(result.made)), *_lines(result.made, i18n)]
    if kept := [record for record in result.to_come if record.id not in made_ids]:
        lines += [i18n("welcome.rule.kept"), *_lines(kept, i18n)]
    if not result.made and result.next_date not in {record.starts_at for record in result.to_come}:
        lines.append(i18n("welcome.rule.next", date=result.next_date, opens=result.announced_from))
    return "\n".join(lines)


def stopped(result: RuleStopped, i18n: I18n) -> str:
    lines = [i18n("welcome.stopped")]
    if result.kept:
        lines += [i18n("welcome.stopped.kept", count=len(result.kept)), *_lines(result.kept, i18n)]
    return "\n".join(lines)


def describe(rule: WelcomeRule, announce_days: int, i18n: I18n) -> str:
    return i18n(
        "welcome.rule",
        rank=i18n(f"welcome.rank.{rule.ordinal}"),
        day=i18n.weekday(rule.weekday),
        time=f"{rule.at:%H:%M}",
        duration=format_duration(rule.duration_minutes),
        places=_places(rule.capacity, i18n),
        ahead=rule.ahead,
        days=announce_days,
    )


def _change(name: str, before: WelcomeRule, after: WelcomeRule, i18n: I18n) -> str:
    if name == "zoom_url":  # the link itself is never repeated
        return i18n("welcome.rule.new_link")
    return i18n(
        "welcome.rule.change",
        name=i18n(f"welcome.field.{name}"),
        before=_value(name, before, i18n),
        after=_value(name, after, i18n),
    )


def _value(name: str, rule: WelcomeRule, i18n: I18n) -> str:
    """A field's value as the team reads it."""
    shown = {
        "weekday": lambda: i18n.weekday(rule.weekday),
        "ordinal": lambda: i18n(f"welcome.rank.{rule.ordinal}"),
        "at": lambda: f"{rule.at:%H:%M}",
        "duration_minutes": lambda: format_duration(rule.duration_minutes),
        "capacity": lambda: _places(rule.capacity, i18n),
        "ahead": lambda: str(rule.ahead),
    }
    return shown[name]()


def _places(capacity: int, i18n: I18n) -> str:
    return i18n("welcome.rule.places", count=capacity) if capacity else i18n("welcome.rule.unlimited")


def _lines(records: Sequence[FabriqueRecord], i18n: I18n) -> list[str]:
    return [i18n("welcome.line", number=record.id, date=record.starts_at) for record in records]
