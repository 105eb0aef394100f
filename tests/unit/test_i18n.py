"""The message catalogues and the command translator: complete, consistent, and used only with keys that exist."""

from __future__ import annotations

import ast
import re
import string
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.domain.lifecycle import RULES, Action, State
from bot.domain.proposal import Format, Parcours
from bot.i18n import CATALOGUES, I18n, en, format_duration, fr
from bot.i18n.commands import ENGLISH, CommandTranslator

REPO_ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("bot", "cogs")
# Not scanned: the catalogues themselves, and the persistence layer, which never speaks to users and whose
# "table.column" strings (ForeignKey("slot.id")) look like keys.
NOT_SCANNED = (REPO_ROOT / "bot" / "i18n" / "fr.py", REPO_ROOT / "bot" / "i18n" / "en.py", REPO_ROOT / "bot" / "db")
KNOWN_PREFIXES = {
    "error",
    "card",
    "dm",
    "mine",
    "propose",
    "edit",
    "withdraw",
    "decision",
    "configure",
    "modal",
    "label",
    "hint",
    "button",
    "state",
    "format",
    "parcours",
    "field",
    "autocomplete",
} | {key.split(".", 1)[0] for key in fr.MESSAGES}
KEY_PATTERN = re.compile(rf"^(?:{'|'.join(sorted(KNOWN_PREFIXES))})(?:\.[a-z0-9_]+)+$")
MODERATION = (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT)
WITH_MOTIF = (Action.REQUEST_CHANGES, Action.REJECT)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def literal_keys() -> dict[str, list[str]]:
    """Every plain string literal in bot/ and cogs/ that looks like a catalogue key, with where it is used.

    Parts of f-strings are left out: keys built at run time are checked family by family below.
    """
    found: dict[str, list[str]] = {}
    for folder in SCANNED:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if any(path == skipped or skipped in path.parents for skipped in NOT_SCANNED):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            in_fstrings = {
                id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in in_fstrings
                    and KEY_PATTERN.match(node.value)
                ):
                    found.setdefault(node.value, []).append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    return found


def field_names() -> set[str]:
    """The ``field`` values the domain raises (``_require_text("titre", …)``, ``field="…"``)."""
    names: set[str] = set()
    for path in (REPO_ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            function = node.func.id if isinstance(node.func, ast.Name) else None
            if function in {"_require_text", "_limit"} and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
            names.update(
                keyword.value.value
                for keyword in node.keywords
                if keyword.arg == "field" and isinstance(keyword.value, ast.Constant)
            )
    return names


# --- the catalogues ----------------------------------------------------------------------------------------------


def test_french_and_english_have_the_same_keys() -> None:
    only_fr = sorted(fr.MESSAGES.keys() - en.MESSAGES.keys())
    only_en = sorted(en.MESSAGES.keys() - fr.MESSAGES.keys())
    assert (only_fr, only_en) == ([], []), f"missing in en: {only_fr}; missing in fr: {only_en}"


def test_french_and_english_have_the_same_placeholders() -> None:
    different = {
        key: (sorted(placeholders(fr.MESSAGES[key])), sorted(placeholders(en.MESSAGES[key])))
        for key in fr.MESSAGES.keys() & en.MESSAGES.keys()
        if placeholders(fr.MESSAGES[key]) != placeholders(en.MESSAGES[key])
    }
    assert not different, f"fr vs en placeholders differ: {different}"


def test_no_message_is_empty() -> None:
    empty = [
        f"{lang}:{key}" for lang, messages in CATALOGUES.items() for key, text in messages.items() if not text.strip()
    ]
    assert not empty


def test_every_literal_key_in_the_code_exists_in_french() -> None:
    used = literal_keys()
    assert "error.unknown_fabrique" in used, "the scan found nothing: is the pattern still right?"
    missing = {key: places for key, places in sorted(used.items()) if key not in fr.MESSAGES}
    assert not missing, "keys used in code but absent from bot/i18n/fr.py:\n" + "\n".join(
        f"  {key}  ({', '.join(places)})" for key, places in missing.items()
    )


def test_keys_built_at_run_time_exist() -> None:
    families = (
        [f"state.{value}" for value in State]
        + [f"format.{value}" for value in Format]
        + [f"parcours.{value}" for value in Parcours]
        + [f"field.{name}" for name in field_names()]
        + [f"error.state.{action}" for action in RULES]
        + [f"card.audit.{action}" for action in Action]
        + [f"{prefix}.{action}" for prefix in ("dm", "decision.done", "button") for action in MODERATION]
        + [f"modal.{action}.title" for action in WITH_MOTIF]
        + [f"hint.motif.{action}" for action in WITH_MOTIF]
    )
    assert "field.titre" in families
    missing = [key for key in families if key not in fr.MESSAGES]
    assert not missing, f"keys built with f-strings but absent from bot/i18n/fr.py: {missing}"


def test_state_labels_are_the_ones_of_the_spec() -> None:
    french = I18n("fr")
    assert [french.label(state) for state in State] == [
        "proposée",
        "modifications demandées",
        "approuvée",
        "refusée",
        "retirée",
        "programmée",
        "annoncée",
        "tenue",
        "documentation attendue",
        "documentation en cours",
        "documentée",
        "annulée",
    ]


def test_button_labels_are_the_ones_of_the_spec() -> None:
    french = I18n("fr")
    assert [french(f"button.{action}") for action in MODERATION] == [
        "Approuver",
        "Demander des modifications",
        "Refuser",
    ]


# --- I18n --------------------------------------------------------------------------------------------------------


def test_enums_are_formatted_as_their_labels() -> None:
    assert I18n("fr")("error.state.approve", state=State.APPROVED) == (
        "Impossible d'approuver cette Fabrique : elle est approuvée."
    )
    assert "approved" in I18n("en")("error.state.approve", state=State.APPROVED)
    assert I18n("fr").label(Format.GROUPE_DE_TRAVAIL) == "Groupe de travail"
    assert I18n("en").label(Format.GROUPE_DE_TRAVAIL) == "Working group"
    assert I18n("fr").label(Parcours.EXPRESS) == fr.MESSAGES["parcours.express"]


def test_field_names_are_formatted_as_their_labels() -> None:
    assert I18n("fr")("error.input.empty", field="intervenant") == "Le champ « intervenant·e » est obligatoire."
    assert "speaker" in I18n("en")("error.input.empty", field="intervenant")


def test_lists_of_minutes_are_formatted_as_durations() -> None:
    message = I18n("fr")("error.input.duration", allowed=[90, 120, 150])
    assert message == "Cette durée n'est pas proposée. Choisissez parmi : 1h30, 2h, 2h30."


@pytest.mark.parametrize(("minutes", "text"), [(90, "1h30"), (120, "2h"), (150, "2h30"), (45, "45 min"), (65, "1h05")])
def test_format_duration(minutes: int, text: str) -> None:
    assert format_duration(minutes) == text


def test_plain_values_are_left_as_they_are() -> None:
    assert I18n("fr")("error.unknown_fabrique", number=12).startswith("Aucune Fabrique n°12 ")


def test_dates_are_shown_in_the_guild_time_zone() -> None:
    summer = datetime(2027, 5, 4, 12, 0, tzinfo=UTC)  # Paris is UTC+2 in May
    winter = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)  # and UTC+1 in January
    assert I18n("fr").date(summer) == "mardi 4 mai 2027 à 14:00"
    assert I18n("fr").date(winter) == "mardi 5 janvier 2027 à 13:00"
    assert I18n("en").date(summer) == "Tuesday May 4, 2027 at 14:00"


def test_an_unknown_language_falls_back_to_french() -> None:
    german = I18n("de")
    assert german.language == "fr"
    assert german("error.team_only") == fr.MESSAGES["error.team_only"]


def test_english_is_used_when_chosen() -> None:
    assert I18n("en")("error.team_only") == en.MESSAGES["error.team_only"]
    assert I18n("en")("error.team_only") != fr.MESSAGES["error.team_only"]


def test_a_key_missing_in_english_falls_back_to_french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(en.MESSAGES, "error.team_only")
    assert I18n("en")("error.team_only") == fr.MESSAGES["error.team_only"]


def test_a_missing_key_raises_key_error() -> None:
    with pytest.raises(KeyError, match=r"error\.does_not_exist"):
        I18n("fr")("error.does_not_exist")
    with pytest.raises(KeyError):
        I18n("en")("error.does_not_exist")


# --- command names and descriptions ------------------------------------------------------------------------------

CONTEXT = app_commands.TranslationContext(location=app_commands.TranslationContextLocation.other, data=None)


async def test_every_command_string_has_its_english_localisation() -> None:
    translator = CommandTranslator()
    for french, english in ENGLISH.items():
        message = app_commands.locale_str(french)
        assert await translator.translate(message, discord.Locale.american_english, CONTEXT) == english
        assert await translator.translate(message, discord.Locale.british_english, CONTEXT) == english


async def test_french_and_other_locales_keep_the_french_base() -> None:
    translator = CommandTranslator()
    for french in ENGLISH:
        message = app_commands.locale_str(french)
        assert await translator.translate(message, discord.Locale.french, CONTEXT) is None
        assert await translator.translate(message, discord.Locale.german, CONTEXT) is None


async def test_an_unknown_string_is_not_translated() -> None:
    translator = CommandTranslator()
    message = app_commands.locale_str("pas-dans-le-dictionnaire")
    assert await translator.translate(message, discord.Locale.american_english, CONTEXT) is None


def test_english_command_names_are_valid_for_discord() -> None:
    """Names (commands, groups, options) are lowercase, without spaces, at most 32 characters: the French ones are,
    so their English localisations must be too (a description or a choice label may be any text)."""
    name = re.compile(r"^[-_a-z0-9]{1,32}$")
    names = {french: english for french, english in ENGLISH.items() if name.match(french)}
    assert {"fabrique", "proposer", "coorganisateur", "role_equipe"} <= names.keys()
    bad = {french: english for french, english in names.items() if not name.match(english)}
    assert not bad, f"English names Discord would refuse: {bad}"
