"""Docs, configuration and commands cannot drift apart.

- every key of ``config.example.toml`` is a Settings field, loads as its default, and is documented in README.md
  (a table row in the section ``### `[section]` ``), and every Settings field is in the example;
- the lifecycle diagram of docs/architecture.md draws exactly the state changes of ``lifecycle.RULES``;
- every slash command, subcommand, option and choice has a French base and an English localisation that Discord
  accepts (the same payload discord.py sends when it syncs, built through the bot's own CommandTranslator).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import discord
import pytest
from pydantic import BaseModel

from bot.app import EXTENSIONS, create_bot
from bot.config import Settings, load_settings
from bot.domain.lifecycle import RULES, Actor, next_state
from bot.i18n.commands import CommandTranslator
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.toml"
README = ROOT / "README.md"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SECRET_VARIABLES = ("DISCORD_TOKEN", "ZOOM_CLIENT_SECRET", "WORDPRESS_APP_PASSWORD", "SMTP_PASSWORD", "RESUME_API_KEY")
ENGLISH = discord.Locale.american_english.value

# Discord's rule for command and option names (lowercase letters of any script, digits, "-" and "_").
NAME = re.compile(r"[-_\w]{1,32}")
# Choices Discord shows as they are in every language: the session lengths built from the config ("1h30", "45 min").
LANGUAGE_NEUTRAL_CHOICE = re.compile(r"\d+h(\d{2})?|\d+ min")
# The commands SPEC §5 promises, plus /fabrique liberer (release a booked slot).
EXPECTED_COMMANDS = {
    "fabrique": {
        "proposer",
        "modifier",
        "retirer",
        "mes-fabriques",
        "creneaux",
        "reserver",
        "liberer",
        "annoncer",
        "inscrire",
        "desinscrire",
        "absence",
        "lien",
        "agenda",
        "inscrits",
        "documenter",
    },
    "equipe": {
        "configurer",
        "creneau-ajouter",
        "creneau-retirer",
        "creneaux",
        "lien-zoom",
        "deplacer",
        "modifier",
        "annuler",
        "suivi",
        "accueil",
        "inscrire",
        "desinscrire",
        "bilan",
    },
}


# --- configuration --------------------------------------------------------------------------------------------


def example_keys() -> list[tuple[str, str]]:
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    return [(section, key) for section, table in raw.items() for key in table]


def section_models() -> dict[str, type[BaseModel]]:
    """Settings section name → its pydantic model (``secrets`` excluded: it never comes from the file)."""
    models = {}
    for name, field in Settings.model_fields.items():
        if name == "secrets":
            continue
        assert isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel), name
        models[name] = field.annotation
    return models


def readme_section(section: str) -> str:
    """The README text under the heading ``### `[section]` ``, up to the next heading."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^###+ `\[{re.escape(section)}\]`[^\n]*\n(.*?)(?=^#)", text + "\n#", re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no heading ### `[{section}]` (the configuration table of that section)"
    return match.group(1)


def test_every_example_key_is_a_settings_field() -> None:
    models = section_models()
    unknown = [
        f"[{section}] {key}"
        for section, key in example_keys()
        if section not in models or key not in models[section].model_fields
    ]
    assert not unknown, f"config.example.toml keys that bot.config.Settings does not know: {unknown}"


def test_every_settings_field_is_in_the_example() -> None:
    present = set(example_keys())
    missing = [
        f"[{section}] {key}"
        for section, model in section_models().items()
        for key in model.model_fields
        if (section, key) not in present
    ]
    assert not missing, f"Settings fields missing from config.example.toml: {missing}"


def test_the_example_holds_the_defaults() -> None:
    loaded = load_settings(EXAMPLE, environ={})
    defaults = Settings()
    different = [
        f"[{section}] {key}: example {getattr(getattr(loaded, section), key)!r}, "
        f"default {getattr(getattr(defaults, section), key)!r}"
        for section, key in example_keys()
        if getattr(getattr(loaded, section), key) != getattr(getattr(defaults, section), key)
    ]
    assert not different, f"config.example.toml must show every default: {different}"
    assert loaded == defaults


def test_every_key_and_secret_is_documented_in_the_readme() -> None:
    undocumented = [
        f"[{section}] {key}"
        for section, key in example_keys()
        if not re.search(rf"^\|\s*`{re.escape(key)}`\s*\|", readme_section(section), re.MULTILINE)
    ]
    assert not undocumented, f"keys without a row in their README.md configuration table: {undocumented}"
    readme = README.read_text(encoding="utf-8")
    assert [name for name in SECRET_VARIABLES if f"`{name}`" not in readme] == []


# --- lifecycle diagram ----------------------------------------------------------------------------------------


def test_the_lifecycle_diagram_matches_the_rules() -> None:
    """Each ``source --> target : action`` line of the Mermaid diagram is a state change RULES allows, and back."""
    anyone = Actor(user_id=1, is_team=True)  # team and organizer at once: only states matter here
    allowed = {
        (source.value, target.value, action.value)
        for action, rule in RULES.items()
        for source in rule.sources
        if (target := next_state(source, action, anyone, frozenset({1}))) is not source
    }
    text = ARCHITECTURE.read_text(encoding="utf-8")
    drawn = set(re.findall(r"^\s*([a-z_]+) --> ([a-z_]+) : ([a-z_]+)\s*$", text, re.MULTILINE))
    assert drawn == allowed, f"missing from the diagram: {allowed - drawn}; not in RULES: {drawn - allowed}"


# --- slash commands -------------------------------------------------------------------------------------------


@pytest.fixture
async def command_payloads(tmp_path: Path) -> list[dict[str, Any]]:
    """The two groups as setup_hook loads them, translated the way ``tree.sync`` translates them.

    Loading the extensions needs neither Discord nor the database: services are only reached when a command runs.
    """
    bot = create_bot(make_settings(tmp_path))
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    translator = CommandTranslator()
    groups = [cog.app_command for cog in bot.cogs.values() if cog.app_command is not None]
    return [await group.get_translated_payload(bot.tree, translator) for group in groups]


def _english(node: dict[str, Any], field: str) -> str | None:
    return (node.get(f"{field}_localizations") or {}).get(ENGLISH)


def _problems(node: dict[str, Any], path: str = "") -> list[str]:
    """Every way one command node (group, subcommand or option), its choices and its children break the rules."""
    where = f"{path} {node['name']}".strip()
    problems = []
    for label, name in (("French name", node["name"]), ("English name", _english(node, "name"))):
        if name is None:
            problems.append(f"/{where}: no English name")
        elif not NAME.fullmatch(name) or name != name.lower():
            problems.append(f"/{where}: {label} {name!r} is not a valid Discord name")
    description, english = node.get("description", ""), _english(node, "description")
    if not description.strip():
        problems.append(f"/{where}: empty French description")
    if len(description) > 100:
        problems.append(f"/{where}: French description over 100 characters")
    if english is None:
        problems.append(f"/{where}: no English description for {description!r}")
    elif not english.strip() or len(english) > 100:
        problems.append(f"/{where}: English description {english!r} is empty or over 100 characters")
    for choice in node.get("choices") or []:
        english = _english(choice, "name")
        if english is None and not LANGUAGE_NEUTRAL_CHOICE.fullmatch(choice["name"]):
            problems.append(f"/{where}: no English name for the choice {choice['name']!r}")
        if not 1 <= len(choice["name"]) <= 100 or (english is not None and not 1 <= len(english) <= 100):
            problems.append(f"/{where}: choice {choice['name']!r} must be 1 to 100 characters")
    children = node.get("options") or []
    english_names = [_english(child, "name") for child in children if _english(child, "name")]
    if len(english_names) != len(set(english_names)):
        problems.append(f"/{where}: two options or subcommands share an English name: {sorted(english_names)}")
    for child in children:
        problems += _problems(child, where)
    return problems


async def test_every_command_option_and_choice_is_localised(command_payloads: list[dict[str, Any]]) -> None:
    problems = [problem for group in command_payloads for problem in _problems(group)]
    assert not problems, "slash commands Discord would show untranslated or refuse:\n" + "\n".join(problems)


async def test_the_promised_commands_exist_and_the_readme_lists_them(command_payloads: list[dict[str, Any]]) -> None:
    registered = {group["name"]: {sub["name"] for sub in group["options"]} for group in command_payloads}
    assert registered == EXPECTED_COMMANDS
    readme = README.read_text(encoding="utf-8")
    missing = [
        f"/{group} {name}"
        for group, names in registered.items()
        for name in sorted(names)
        if f"`/{group} {name}" not in readme
    ]
    assert not missing, f"commands missing from README.md: {missing}"
