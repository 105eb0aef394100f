"""The README and the Dockerfile tell an operator what the code really needs and does: the invite link grants every
permission of the table (Create Events included), commands are given in a form that runs on a plain Debian, and
the container has a health check."""

from __future__ import annotations

import re
from pathlib import Path

import discord

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
# Table names that differ from discord.py's attribute names.
PERMISSION_NAMES = {"view_channels": "view_channel"}


def table_permissions() -> discord.Permissions:
    table = README.split("| permission | why |", 1)[1].split("\n\n", 1)[0]
    names = re.findall(r"^\s*\| ([A-Z][A-Za-z ]+?) \|", table, flags=re.MULTILINE)
    attributes = [PERMISSION_NAMES.get(key, key) for key in (name.lower().replace(" ", "_") for name in names)]
    return discord.Permissions(**dict.fromkeys(attributes, True))  # an unknown name raises TypeError


def invite_permissions() -> discord.Permissions:
    match = re.search(r"oauth2/authorize\?[^`\s]*permissions=(\d+)", README)
    assert match, "README.md has no invite URL with a permissions integer"
    return discord.Permissions(int(match.group(1)))


def test_the_invite_link_grants_exactly_the_permissions_of_the_table() -> None:
    assert invite_permissions() == table_permissions()


def test_creating_scheduled_events_is_asked_for() -> None:
    # Since 23 February 2026, Manage Events alone no longer lets a bot create a scheduled event.
    granted = invite_permissions()
    assert granted.create_events and granted.manage_events


def test_no_command_in_the_readme_needs_a_python_that_plain_debian_lacks() -> None:
    blocks = re.findall(r"```\n(.*?)```", README, flags=re.DOTALL)
    commands = [line.strip() for block in blocks for line in block.splitlines()]
    assert not [line for line in commands if line.startswith(("python -m bot", "python3 -m bot"))]


def test_the_readme_says_what_check_config_connect_tries_and_how_the_container_stops() -> None:
    assert "check-config --connect" in README
    assert all(service in README for service in ("`Base de données`", "`SMTP`", "`WordPress`", "`Zoom`"))
    assert "SIGTERM" in README and "--stop-timeout" in README


def test_the_image_has_a_health_check_on_the_heartbeat() -> None:
    assert re.search(r'^HEALTHCHECK .*"bot", "sante"', DOCKERFILE, flags=re.MULTILINE)
