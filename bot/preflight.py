"""``check-config --connect``: reach each configured outside service once and say, in one line each, how it went.

Nothing is changed anywhere: the database is only read (a SQLite file that does not exist is not created), the SMTP
server sees a login and no message, WordPress a "who am I", Zoom a token request, the summary endpoint a request
for its list of models (no transcript). Passwords and tokens are sent to their own service only and never printed.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import aiosmtplib
import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import MailingSettings, ResumeSettings, Settings, WordPressSettings, ZoomSettings, hide_password
from bot.db import migrate
from bot.db.engine import create_engine

TIMEOUT_SECONDS = 15.0
Status = Literal["ok", "ÉCHEC", "désactivé"]


@dataclass(frozen=True)
class Outcome:
    service: str
    status: Status
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "ÉCHEC"

    def line(self) -> str:
        return f"{self.service} : {self.status}" + (f" — {self.detail}" if self.detail else "")


def shown_url(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names, if it does not exist: connecting would silently create an empty database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def first_line(error: BaseException) -> str:
    """The first line of an error's message (of the driver's own error when SQLAlchemy wraps one), or its type."""
    text = hide_password(str(getattr(error, "orig", None) or error)).strip()
    return text.splitlines()[0] if text else type(error).__name__


async def check_services(settings: Settings, *, tls_context: ssl.SSLContext | None = None) -> list[Outcome]:
    """One outcome per service, in a fixed order; a disabled integration is said to be so."""
    secrets = settings.secrets
    zoom_secret = secrets.zoom_client_secret.get_secret_value() if secrets.zoom_client_secret else ""
    wordpress_password = secrets.wordpress_app_password.get_secret_value() if secrets.wordpress_app_password else ""
    smtp_password = secrets.smtp_password.get_secret_value() if secrets.smtp_password else ""
    resume_key = secrets.resume_api_key.get_secret_value() if secrets.resume_api_key else ""
    probes: list[tuple[str, bool, Callable[[], Awaitable[Outcome]]]] = [
        ("Base de données", True, lambda: _database(settings.database.url)),
        ("SMTP", settings.mailing.enabled, lambda: _smtp(settings.mailing, smtp_password, tls_context)),
        ("WordPress", settings.wordpress.enabled, lambda: _wordpress(settings.wordpress, wordpress_password)),
        ("Zoom", settings.zoom.enabled, lambda: _zoom(settings.zoom, zoom_secret)),
        ("Résumé", settings.resume.enabled, lambda: _resume(settings.resume, resume_key)),
    ]
    return [await _bounded(name, probe) if enabled else Outcome(name, "désactivé") for name, enabled, probe in probes]


async def _bounded(service: str, probe: Callable[[], Awaitable[Outcome]]) -> Outcome:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            return await probe()
    except TimeoutError:
        return Outcome(service, "ÉCHEC", f"pas de réponse en {TIMEOUT_SECONDS:.0f} s")


async def _database(url: str) -> Outcome:
    service, shown = "Base de données", shown_url(url)
    if (missing := missing_sqlite_file(url)) is not None:
        return Outcome(service, "ok", f"{shown} : {missing} n'existe pas encore, le bot le créera au démarrage")
    engine = create_engine(url)
    try:
        revision = await migrate.current_revision(engine)
    except (OSError, SQLAlchemyError) as error:
        return Outcome(service, "ÉCHEC", f"{shown} : {first_line(error)}")
    finally:
        await engine.dispose()
    return Outcome(service, "ok", f"{shown}, révision {revision or 'aucune (les tables seront créées au démarrage)'}")


async def _smtp(mailing: MailingSettings, password: str, tls_context: ssl.SSLContext | None) -> Outcome:
    where = f"{mailing.host}:{mailing.port}"
    smtp = aiosmtplib.SMTP(
        hostname=mailing.host,
        port=mailing.port,
        start_tls=mailing.starttls,  # as the mailer does: True insists on STARTTLS
        tls_context=tls_context,
        timeout=TIMEOUT_SECONDS,
    )
    try:
        async with smtp:
            if mailing.username:
                await smtp.login(mailing.username, password)
    except aiosmtplib.SMTPAuthenticationError as error:
        return Outcome(
            "SMTP",
            "ÉCHEC",
            f"{where} refuse l'identification (SMTP {error.code}) : vérifiez [mailing] username et SMTP_PASSWORD",
        )
    except (aiosmtplib.SMTPException, ssl.SSLError, OSError) as error:
        return Outcome("SMTP", "ÉCHEC", f"{where} : {type(error).__name__} : {first_line(error)}")
    login = f"identifié comme {mailing.username}" if mailing.username else "sans identification"
    return Outcome("SMTP", "ok", f"{where}{', STARTTLS' if mailing.starttls else ''}, {login}")


async def _wordpress(wordpress: WordPressSettings, password: str) -> Outcome:
    site = wordpress.url.rstrip("/") + "/"
    try:
        async with httpx.AsyncClient(
            auth=httpx.BasicAuth(wordpress.username, password), timeout=TIMEOUT_SECONDS, follow_redirects=False
        ) as http:
            response = await http.get(site, params={"rest_route": "/wp/v2/users/me", "context": "edit"})
    except httpx.HTTPError as error:
        return Outcome("WordPress", "ÉCHEC", f"{site} injoignable : {type(error).__name__} : {first_line(error)}")
    status = response.status_code
    if status in (401, 403):
        return Outcome(
            "WordPress",
            "ÉCHEC",
            f"{site} refuse l'identification (HTTP {status}) : vérifiez [wordpress] username et "
            "WORDPRESS_APP_PASSWORD (un mot de passe d'application, pas celui du compte)",
        )
    if response.is_redirect:
        return Outcome("WordPress", "ÉCHEC", f"{site} redirige (HTTP {status}) : vérifiez [wordpress] url (https, www)")
    try:
        name = response.json()["name"] if status == 200 else None
    except (ValueError, KeyError, TypeError):
        name = None
    if name is None:
        return Outcome("WordPress", "ÉCHEC", f"{site} : pas d'API REST WordPress à cette adresse (HTTP {status})")
    return Outcome("WordPress", "ok", f"{site}, identifié comme « {name} »")


async def _zoom(zoom: ZoomSettings, client_secret: str) -> Outcome:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
            response = await http.post(
                zoom.oauth_url,
                params={"grant_type": "account_credentials", "account_id": zoom.account_id},
                auth=httpx.BasicAuth(zoom.client_id, client_secret),
            )
    except httpx.HTTPError as error:
        return Outcome("Zoom", "ÉCHEC", f"{zoom.oauth_url} injoignable : {type(error).__name__}")
    if response.status_code in (400, 401):
        return Outcome(
            "Zoom",
            "ÉCHEC",
            f"jeton refusé (HTTP {response.status_code}) : vérifiez [zoom] account_id, client_id et ZOOM_CLIENT_SECRET "
            "(application Server-to-Server OAuth activée)",
        )
    try:
        usable = response.status_code == 200 and bool(response.json()["access_token"])
    except (ValueError, KeyError, TypeError):
        usable = False
    if not usable:
        return Outcome("Zoom", "ÉCHEC", f"réponse inattendue du serveur OAuth (HTTP {response.status_code})")
    return Outcome("Zoom", "ok", f"jeton obtenu pour l'hôte {zoom.host_user}")


async def _resume(resume: ResumeSettings, api_key: str) -> Outcome:
    """``GET {base_url}/models``, which every OpenAI-compatible server answers (Ollama and vLLM too): the key and the
    model name are checked without sending anything of a transcript."""
    url = f"{resume.base_url.rstrip('/')}/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
            response = await http.get(url, headers=headers)
    except httpx.HTTPError as error:
        return Outcome("Résumé", "ÉCHEC", f"{url} injoignable : {type(error).__name__}")
    if response.status_code in (401, 403):
        return Outcome("Résumé", "ÉCHEC", f"clé refusée (HTTP {response.status_code}) : vérifiez RESUME_API_KEY")
    try:
        models = [str(entry["id"]) for entry in response.json()["data"]] if response.status_code == 200 else None
    except (ValueError, KeyError, TypeError):
        models = None
    if models is None:
        return Outcome(
            "Résumé",
            "ÉCHEC",
            f"{url} : pas d'API compatible OpenAI à cette adresse (HTTP {response.status_code}) : "
            "vérifiez [resume] base_url (elle se termine en général par /v1)",
        )
    if resume.model not in models:
        offered = (", ".join(sorted(models)[:8]) + (" …" if len(models) > 8 else "")) or "aucun modèle proposé"
        return Outcome(
            "Résumé", "ÉCHEC", f"modèle « {resume.model} » inconnu de {url} : vérifiez [resume] model ({offered})"
        )
    return Outcome("Résumé", "ok", f"{resume.base_url}, modèle « {resume.model} » disponible")
