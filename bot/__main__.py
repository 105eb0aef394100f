"""Command line: ``python -m bot [run | check-config [--connect] | sante | db upgrade | db downgrade REV --yes |
db current | demo]``.

Every expected failure (bad configuration, refused token, unreachable database or Discord) ends with one readable
French line saying what to do and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import signal
import sys
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import system_clock
from bot.config import ConfigError, Settings, load_settings
from bot.db import migrate
from bot.db.engine import create_engine
from bot.health import STALE_AFTER, heartbeat_path, silence
from bot.logs import configure_logging
from bot.preflight import check_services, first_line, missing_sqlite_file, shown_url

log = logging.getLogger("bot")

EXIT_UNHEALTHY = 1
EXIT_CONFIG = 2
EXIT_DATABASE = 3
EXIT_DISCORD = 4
EXIT_SERVICES = 5  # check-config --connect: a service did not answer as it should
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
CLOSE_GRACE_SECONDS = 20.0  # after close(): the dispatcher may take 10 s to record what it sent

FFMPEG_INSTALL = "installez-le : sudo apt-get install ffmpeg"
TOKEN_REFUSED = (
    "Discord refuse le jeton DISCORD_TOKEN : Developer Portal → votre application → Bot → Reset Token, "
    "puis mettez le nouveau jeton dans DISCORD_TOKEN."
)
INTENT_MISSING = (
    "Discord refuse l'intent Server Members : Developer Portal → votre application → Bot → Privileged Gateway "
    "Intents → activez Server Members Intent, enregistrez, puis relancez le bot."
)


class Refusal(Exception):
    """A failure the operator can fix, worded as the one line they will read; ``code`` is the exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    if args.command not in (None, "run"):  # a command prints its own result; Alembic's INFO chatter would bury it
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return _command(args)
    except ConfigError as error:
        print(f"Erreur de configuration : {error}", file=sys.stderr)
        return EXIT_CONFIG
    except Refusal as error:
        print(error, file=sys.stderr)
        return error.code
    except OSError as error:  # none expected; still one line saying what the system refused, not a traceback
        print(f"Erreur système : {first_line(error)}", file=sys.stderr)
        return EXIT_UNHEALTHY


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Fabrique, the Discord bot.")
    parser.add_argument("--config", help="path to config.toml (default: $FABRIQUE_CONFIG or ./config.toml)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default)")
    check = sub.add_parser("check-config", help="validate the configuration and the environment, then exit")
    check.add_argument("--connect", action="store_true", help="also reach the database, SMTP, WordPress and Zoom")
    sub.add_parser("sante", help="exit 0 if the running bot gave a sign of life recently (container HEALTHCHECK)")
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every pending migration")
    down = db_sub.add_parser("downgrade", help="go back to a revision (may delete data: needs --yes)")
    down.add_argument("revision")
    down.add_argument("--yes", action="store_true", help="confirm: tables and columns added since are dropped")
    db_sub.add_parser("current", help="print the current revision")
    demo = sub.add_parser("demo", help="play a whole Fabrique in a simulated Discord (no token, no network)")
    demo.add_argument("folder", nargs="?", default="demo-sortie", help="where to leave the MP3, .ics and article")
    return parser


def _command(args: argparse.Namespace) -> int:
    if args.command == "demo":
        return _demo(args.folder)
    settings = load_settings(args.config)
    if args.command == "check-config":
        return _check_config(settings, connect=args.connect)
    if args.command == "sante":
        return _health(settings)
    if args.command == "db":
        revision, confirmed = getattr(args, "revision", None), getattr(args, "yes", False)
        return asyncio.run(_database(settings, args.db_command, revision, confirmed))
    return _run(settings)


def _ffmpeg_missing() -> bool:
    # shutil rather than bot.integrations.audio: importing pydub without ffmpeg prints a warning of its own
    return not (shutil.which("ffmpeg") and shutil.which("ffprobe"))


def _warn_without_ffmpeg() -> None:
    if _ffmpeg_missing():
        # pydub says the same in English, with a stack line, when the bot imports it: this line replaces it
        warnings.filterwarnings("ignore", "Couldn't find ffmpeg", RuntimeWarning)
        print(
            "Attention : ffmpeg introuvable, les enregistrements ne pourront pas être convertis en MP3 "
            f"(tout le reste fonctionne) — {FFMPEG_INSTALL}",
            file=sys.stderr,
        )


def _check_config(settings: Settings, *, connect: bool) -> int:
    settings.require_token()
    settings.require_integrations()
    print(f"Configuration valide (base : {settings.database.url.split('://', 1)[0]}).")
    _warn_without_ffmpeg()
    if not connect:
        return 0
    outcomes = asyncio.run(check_services(settings))
    for outcome in outcomes:
        print(outcome.line())
    return EXIT_SERVICES if any(outcome.failed for outcome in outcomes) else 0


def _health(settings: Settings) -> int:
    if settings.web.enabled:
        return _health_over_http(settings)
    path = heartbeat_path(settings.general.data_dir)
    quiet = silence(path, system_clock())
    if quiet is None:
        print(f"Aucun signe de vie : {path} n'existe pas (le bot ne tourne pas, ou démarre).", file=sys.stderr)
        return EXIT_UNHEALTHY
    if quiet > STALE_AFTER:
        print(
            f"Aucun signe de vie depuis {quiet.total_seconds() / 60:.0f} min ({path}) : "
            "le planificateur ou la base de données est bloqué.",
            file=sys.stderr,
        )
        return EXIT_UNHEALTHY
    print(f"En vie : dernier signe il y a {quiet.total_seconds():.0f} s.")
    return 0


def _health_over_http(settings: Settings) -> int:
    """With the web door on, its ``/sante`` says it all: the database answers, the gateway is connected, the
    scheduler is alive (its heartbeat). Asked on this machine, whatever address the door listens on."""
    host = settings.web.host if settings.web.host not in ("0.0.0.0", "::") else "127.0.0.1"
    url = f"http://{f'[{host}]' if ':' in host else host}:{settings.web.port}/sante"
    try:
        response = httpx.get(url, timeout=15.0)
        report = response.json()
    except (httpx.HTTPError, ValueError) as error:
        print(f"La porte web ne répond pas ({url}) : {first_line(error)}", file=sys.stderr)
        return EXIT_UNHEALTHY
    if response.status_code != 200:
        failing = [name for name, ok in dict(report.get("verifications") or {}).items() if not ok]
        print(f"En mauvaise santé ({url}) : {', '.join(failing) or response.status_code}.", file=sys.stderr)
        return EXIT_UNHEALTHY
    print(f"En bonne santé ({url}).")
    return 0


def _database_refusal(url: str, error: BaseException) -> Refusal:
    return Refusal(f"Base de données inaccessible ({shown_url(url)}) : {first_line(error)}", EXIT_DATABASE)


def _engine(url: str) -> AsyncEngine:
    """An engine for ``url``; a SQLite folder that cannot be created is a database problem too."""
    try:
        return create_engine(url)
    except OSError as error:
        raise _database_refusal(url, error) from None


async def _database(settings: Settings, action: str, revision: str | None, confirmed: bool) -> int:
    url = settings.database.url
    if action != "upgrade" and (missing := missing_sqlite_file(url)) is not None:
        raise Refusal(
            f"Base SQLite introuvable : {missing.resolve()} — lancez la commande depuis le dossier du bot "
            "(ou avec --config), ou créez la base avec scripts/run db upgrade.",
            EXIT_DATABASE,
        )
    if action == "downgrade" and not confirmed:
        raise Refusal(
            f"Revenir à la révision {revision} supprime les tables et colonnes ajoutées depuis, avec leurs données : "
            "faites une sauvegarde, puis relancez avec --yes.",
            EXIT_CONFIG,
        )
    engine = _engine(url)
    try:
        before = await migrate.current_revision(engine)
        if action == "upgrade":
            await migrate.upgrade(engine)
        elif action == "downgrade" and revision:
            await migrate.downgrade(engine, revision)
        after = await migrate.current_revision(engine)
        change = f" (avant : {before or 'aucune'})" if after != before else ""
        print(f"Révision actuelle : {after or 'aucune'}{change}")
    except CommandError as error:  # Alembic: an unknown or ambiguous revision
        raise Refusal(f"Migration impossible : {first_line(error)}", EXIT_CONFIG) from None
    except (OSError, SQLAlchemyError) as error:
        raise _database_refusal(url, error) from None
    finally:
        await engine.dispose()
    return 0


def _demo(folder: str) -> int:
    if _ffmpeg_missing():  # the demo converts a sample recording: it cannot do without
        raise Refusal(f"La démo a besoin de ffmpeg, introuvable ici — {FFMPEG_INSTALL}", EXIT_CONFIG)
    try:
        from demo.journey import main as play
    except ImportError:
        print("La démo a besoin de SimCord : pip install -e '.[demo]'", file=sys.stderr)
        return EXIT_CONFIG
    logging.getLogger().setLevel(logging.ERROR)  # the transcript is the output; logs would drown it
    return play(Path(folder))


def _run(settings: Settings) -> int:
    token = settings.require_token()
    settings.require_integrations()
    _warn_without_ffmpeg()
    import aiohttp
    import discord  # imported only when the bot really runs

    try:
        asyncio.run(_serve(settings, token))
    except discord.LoginFailure:
        raise Refusal(TOKEN_REFUSED, EXIT_DISCORD) from None
    except discord.PrivilegedIntentsRequired:
        raise Refusal(INTENT_MISSING, EXIT_DISCORD) from None
    except discord.Forbidden as error:
        raise Refusal(
            f"Discord refuse l'accès ({first_line(error)}) : vérifiez [discord] guild_id et invitez le bot avec les "
            "scopes bot et applications.commands (README, « Create the Discord application »).",
            EXIT_DISCORD,
        ) from None
    except (aiohttp.ClientError, discord.GatewayNotFound, discord.HTTPException) as error:
        raise Refusal(
            f"Discord injoignable : {first_line(error)} — vérifiez que ce serveur accède à discord.com "
            "(réseau, DNS, pare-feu, proxy).",
            EXIT_DISCORD,
        ) from None
    except SQLAlchemyError as error:
        raise _database_refusal(settings.database.url, error) from None
    return 0


async def _serve(settings: Settings, token: str) -> None:
    await _reach_database(settings.database.url)
    from bot.app import create_bot

    bot = create_bot(settings)
    async with bot:  # closes the bot whatever happens, once
        await run_until_signalled(bot.start(token), bot.close)


async def _reach_database(url: str) -> None:
    """Open the database before logging in to Discord, so that its failure is reported as what it is."""
    engine = _engine(url)
    try:
        async with engine.connect():
            pass
    except (OSError, SQLAlchemyError) as error:
        raise _database_refusal(url, error) from None
    finally:
        await engine.dispose()


async def run_until_signalled(work: Coroutine[Any, Any, None], close: Callable[[], Awaitable[None]]) -> None:
    """Run ``work`` until it ends, or until SIGTERM or SIGINT: then ``close()`` and give ``work`` time to end.

    In a container the bot is PID 1, which the kernel shields from every signal it has no handler for: without
    this, ``docker stop`` waits out its grace period and then kills the bot in the middle of whatever it sends.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, _stop_requested, number, stop)
    running = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            running.result()  # its failure, if any, is the caller's to report
            return
        await close()
        try:
            await asyncio.wait_for(running, CLOSE_GRACE_SECONDS)
        except TimeoutError:
            log.warning("the bot did not stop within %.0f s of closing; stopped anyway", CLOSE_GRACE_SECONDS)
        log.info("stopped cleanly")
    finally:
        stopping.cancel()
        running.cancel()
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)


def _stop_requested(number: int, stop: asyncio.Event) -> None:
    log.info("%s received: closing the bot", signal.Signals(number).name)
    stop.set()


if __name__ == "__main__":
    sys.exit(main())
