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


@pytest.mark.parametrize(
    "folder", ["bot/domain", "bot/services", "bot/db", "bot/integrations", "bot/timed", "bot/web", "bot/reports"]
)
def test_the_core_does_not_import_discord(folder: str) -> None:
    found = offenders(folder, ("discord",))
    assert not found, "discord.py is imported outside bot/app.py and cogs/:\n" + "\n".join(found)


def test_nothing_in_bot_imports_cogs() -> None:
    """The composition root loads the extensions by name: the dependency goes one way, cogs → bot."""
    found = offenders("bot", ("cogs",))
    assert not found, "bot/ must not import cogs/ (list the extension in bot.app.EXTENSIONS instead):\n" + "\n".join(
        found
    )


def test_no_cog_imports_another_cog() -> None:
    """Each extension stands alone, so it can be reloaded alone; what several share lives in ``cogs/_*.py``."""
    extensions = tuple(f"cogs.{path.stem}" for path in python_files("cogs") if not path.stem.startswith("_"))
    found = []
    for path in python_files("cogs"):
        location = PurePosixPath(path.relative_to(REPO_ROOT).as_posix())
        own = f"cogs.{path.stem}"
        bad = [m for m in forbidden_in(imported_modules(path.read_text(encoding="utf-8"), location), extensions)]
        bad = [m for m in bad if m != own and not m.startswith(f"{own}.")]
        if bad:
            found.append(f"{location}: {', '.join(bad)}")
    assert not found, "a cog imports another cog (move what they share to a cogs/_*.py module):\n" + "\n".join(found)


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


def test_services_do_not_import_sqlalchemy() -> None:
    found = offenders("bot/services", ("sqlalchemy",))
    assert not found, "services reach the database through repositories and the unit of work:\n" + "\n".join(found)
