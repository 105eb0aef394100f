"""Command line: ``python -m bot [run | check-config | db upgrade | db downgrade REV | db current]``.

Every expected failure (bad configuration, missing token) ends with one readable line and a non-zero exit code,
never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings, load_settings
from bot.db import migrate
from bot.db.engine import create_engine

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Fabrique, the Discord bot.")
    parser.add_argument("--config", help="path to config.toml (default: $FABRIQUE_CONFIG or ./config.toml)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default)")
    sub.add_parser("check-config", help="validate the configuration and the environment, then exit")
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every pending migration")
    down = db_sub.add_parser("downgrade", help="go back to a revision")
    down.add_argument("revision")
    db_sub.add_parser("current", help="print the current revision")
    demo = sub.add_parser("demo", help="play a whole Fabrique in a simulated Discord (no token, no network)")
    demo.add_argument("folder", nargs="?", default="demo-sortie", help="where to leave the MP3, .ics and article")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "demo":
            return _demo(args.folder)
        settings = load_settings(args.config)
        if args.command == "check-config":
            return _check_config(settings)
        if args.command == "db":
            return asyncio.run(_database(settings, args.db_command, getattr(args, "revision", None)))
        return _run(settings)
    except ConfigError as error:
        print(f"Erreur de configuration : {error}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as error:
        # An unreachable PostgreSQL or an unwritable data folder: say which, in one line, without a traceback.
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        print(f"Base de données inaccessible ({settings_url(args.config)}) : {detail}", file=sys.stderr)
        return 3


def settings_url(path: str | None) -> str:
    """The database URL without its password, to say which database could not be reached."""
    try:
        return make_url(load_settings(path).database.url).render_as_string(hide_password=True)
    except ConfigError:
        return "?"


def _check_config(settings: Settings) -> int:
    settings.require_token()
    print(f"Configuration valide (base : {settings.database.url.split('://', 1)[0]}).")
    return 0


async def _database(settings: Settings, action: str, revision: str | None) -> int:
    engine = create_engine(settings.database.url)
    try:
        if action == "upgrade":
            await migrate.upgrade(engine)
        elif action == "downgrade" and revision:
            await migrate.downgrade(engine, revision)
        print(f"Révision actuelle : {await migrate.current_revision(engine) or 'aucune'}")
    finally:
        await engine.dispose()
    return 0


def _demo(folder: str) -> int:
    try:
        from demo.journey import main as play
    except ImportError:
        print("La démo a besoin de SimCord : pip install -e '.[demo]'", file=sys.stderr)
        return 2
    logging.getLogger().setLevel(logging.ERROR)  # the transcript is the output; logs would drown it
    return play(Path(folder))


def _run(settings: Settings) -> int:
    token = settings.require_token()
    from bot.app import create_bot  # discord.py is imported only when the bot really runs

    bot = create_bot(settings)
    bot.run(token, log_handler=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
