"""The layers of STYLE.md, checked on the source: the core never knows Discord, cogs never touch the database."""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def python_files(folder: str) -> list[Path]:
    files = sorted((REPO_ROOT / folder).rglob("*.py"))
    assert files, f"no Python file under {folder}/"
    return files


def imported_modules(source: str, location: PurePosixPath) -> set[str]:
    """Every module imported by ``source`` (anywhere, even inside a function), relative imports made absolute.

    ``location`` is the file's path from the repository root, e.g. ``bot/domain/proposal.py``.
    """
    package = location.parent.parts
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=str(location))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            modules.add(module)
            modules.update(f"{module}.{alias.name}" for alias in node.names)
    return modules


def forbidden_in(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == name or m.startswith(f"{name}.") for name in forbidden))


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in python_files(folder):
        location = PurePosixPath(path.relative_to(REPO_ROOT).as_posix())
        bad = forbidden_in(imported_modules(path.read_text(encoding="utf-8"), location), forbidden)
        if bad:
            found.append(f"{location}: {', '.join(bad)}")
    return found


@pytest.mark.parametrize("folder", ["bot/domain", "bot/services"])
def test_domain_and_services_do_not_import_discord(folder: str) -> None:
    found = offenders(folder, ("discord",))
    assert not found, "discord.py is imported outside bot/app.py and cogs/:\n" + "\n".join(found)


def test_cogs_do_not_import_sqlalchemy() -> None:
    found = offenders("cogs", ("sqlalchemy",))
    assert not found, "cogs talk to services, never to the database:\n" + "\n".join(found)


def test_domain_does_no_io() -> None:
    found = offenders("bot/domain", ("sqlalchemy", "httpx", "bot.db"))
    assert not found, "bot/domain holds pure rules, without I/O:\n" + "\n".join(found)


def test_the_checker_sees_every_form_of_import() -> None:
    """Guards the tests above against passing vacuously."""
    source = (
        "import discord\n"
        "import discord.ext.commands as cmds\n"
        "from discord import ui\n"
        "from sqlalchemy.orm import Session\n"
        "from ..db import models\n"
        "from . import proposal\n"
        "def later():\n"
        "    import httpx\n"
    )
    modules = imported_modules(source, PurePosixPath("bot/domain/sample.py"))
    assert forbidden_in(modules, ("discord",)) == ["discord", "discord.ext.commands", "discord.ui"]
    assert forbidden_in(modules, ("sqlalchemy", "httpx", "bot.db")) == [
        "bot.db",
        "bot.db.models",
        "httpx",
        "sqlalchemy.orm",
        "sqlalchemy.orm.Session",
    ]
    assert "bot.domain.proposal" in modules
    assert forbidden_in({"discordant", "bot.dbx"}, ("discord", "bot.db")) == []
