"""Settings: non-secrets from ``config.toml``, secrets only from the environment.

Nothing is read at import time: ``load_settings()`` is called by the entry point (or a test) and the result is
passed down explicitly, so tests can build as many independent configurations as they like.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_CONFIG_PATH = Path("config.toml")
CONFIG_PATH_ENV = "FABRIQUE_CONFIG"
NonNegativeInt = Annotated[int, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]
Snowflake = Annotated[int, Field(ge=0)]


class ConfigError(Exception):
    """A configuration problem, worded as the single line the operator will read."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GeneralSettings(_Section):
    timezone: str = "Europe/Paris"
    language: Literal["fr", "en"] = "fr"
    data_dir: Path = Path("data")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"fuseau horaire inconnu « {value} »") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class DiscordSettings(_Section):
    guild_id: Snowflake = 0
    team_role_id: Snowflake = 0
    member_role_id: Snowflake = 0
    team_channel_id: Snowflake = 0
    agenda_channel_id: Snowflake = 0
    articles_forum_id: Snowflake = 0


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///data/fabrique.db"

    @field_validator("url")
    @classmethod
    def _supported_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("doit commencer par sqlite+aiosqlite:// ou postgresql+asyncpg://")
        try:  # a port that is not a number would otherwise surface later as a traceback
            make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(
                "URL illisible (forme attendue : postgresql+asyncpg://utilisateur:motdepasse@hôte:5432/base)"
            ) from None
        return value


class SessionSettings(_Section):
    durations_minutes: list[PositiveInt] = Field(default_factory=lambda: [90, 120, 150], min_length=1)
    default_capacity: NonNegativeInt = 0
    buffer_minutes: NonNegativeInt = 15
    min_lead_days_classique: NonNegativeInt = 7
    min_lead_days_express: NonNegativeInt = 2
    reminders_before_minutes: list[PositiveInt] = Field(default_factory=lambda: [1440, 60])
    # Seed step 4: a booked slot is held, nothing published, until the organizer (or the team) confirms it.
    confirm_before_announce: bool = False
    hold_days: PositiveInt = 7  # a hold not confirmed within these days is released (the organizer told a day before)
    # How many days before its date the next welcome session of the team's rule is announced (/equipe accueil).
    announce_days: Annotated[int, Field(ge=1, le=366)] = 30
    # The most sessions a series may have (/fabrique proposer sessions); the seed's cycles are short.
    max_series_sessions: Annotated[int, Field(ge=2, le=12)] = 12


class DocumentationSettings(_Section):
    prompt_after_minutes: NonNegativeInt = 15
    chase_after_days: list[PositiveInt] = Field(default_factory=lambda: [3, 7])
    deadline_days: PositiveInt = 14


class ZoomSettings(_Section):
    enabled: bool = False
    account_id: str = ""
    client_id: str = ""
    host_user: str = ""
    api_base: str = "https://api.zoom.us/v2"
    oauth_url: str = "https://zoom.us/oauth/token"
    # How meetings record: "cloud" (the bot then fetches the recording and offers it), "local" or "none".
    auto_recording: Literal["cloud", "local", "none"] = "cloud"
    # How long the bot waits for Zoom to process a cloud recording, asking with growing intervals (30 days at most:
    # Zoom's trash keeps a recording that long).
    recording_wait_hours: Annotated[int, Field(ge=1, le=720)] = 24
    delete_cloud_recording: bool = False  # move the cloud recording to Zoom's trash once the article is published


class WordPressSettings(_Section):
    enabled: bool = False
    url: str = ""
    username: str = ""
    article_status: Literal["private", "publish", "draft", "pending"] = "private"
    articles_category: str = ""
    events_category: str = ""


class MailingSettings(_Section):
    enabled: bool = False
    host: str = ""
    port: Annotated[int, Field(gt=0, lt=65536)] = 587
    starttls: bool = True
    username: str = ""
    sender: str = ""
    list_address: str = ""
    ca_file: str = ""  # PEM of a private certificate authority for the SMTP server; "": the system trust store


class AudioSettings(_Section):
    bitrate_kbps: Annotated[int, Field(ge=16, le=320)] = 64
    loudness_lufs: Annotated[float, Field(ge=-40, le=-5)] = -19
    max_input_mb: PositiveInt = 2048
    max_duration_minutes: PositiveInt = 240
    max_parallel_conversions: Annotated[int, Field(ge=1, le=8)] = 1


class ResumeSettings(_Section):
    """The OpenAI-compatible endpoint that drafts the session notes from the transcript; no base_url, no sending."""

    base_url: str = ""  # e.g. "https://api.mistral.ai/v1" or "http://127.0.0.1:11434/v1" (Ollama); "": off
    model: str = ""
    timeout_seconds: Annotated[float, Field(gt=0, le=900)] = 120
    max_input_chars: Annotated[int, Field(ge=4000)] = 40000

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("doit être vide ou une adresse http(s):// sans paramètres, ex. https://api.mistral.ai/v1")
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.base_url)

    @property
    def local(self) -> bool:
        """The endpoint runs on this machine (Ollama, vLLM…): such servers usually want no key."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        return host in {"localhost", "::1"} or host.startswith("127.")


class WebSettings(_Section):
    """The optional web door inside the bot (upload page, ``/agenda.ics``, ``/sante``), behind a reverse proxy."""

    enabled: bool = False
    listen: str = "127.0.0.1:8080"  # host:port the bot listens on; only the reverse proxy should reach it
    public_url: str = ""  # the https:// address the reverse proxy exposes; required when enabled
    upload_hours: Annotated[int, Field(gt=0, le=720)] = 72

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        value = value.strip()
        match = _LISTEN.fullmatch(value)
        if match is None or not 0 < int(match["port"]) < 65536:
            raise ValueError("doit être hôte:port, ex. 127.0.0.1:8080 (ou 0.0.0.0:8080 dans un conteneur)")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_https(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return value
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        on_this_machine = host in {"localhost", "::1"} or host.startswith("127.")  # tests, a local trial
        scheme_ok = parts.scheme == "https" or (parts.scheme == "http" and on_this_machine)
        if not scheme_ok or not host or parts.query or parts.fragment or "@" in parts.netloc or " " in value:
            raise ValueError(
                "doit être l'adresse https:// publique du bot (celle du proxy), ex. https://fabrique.example.org"
            )
        return value

    @property
    def host(self) -> str:
        match = _LISTEN.fullmatch(self.listen)
        assert match is not None  # validated above
        return match["host"].strip("[]")

    @property
    def port(self) -> int:
        match = _LISTEN.fullmatch(self.listen)
        assert match is not None
        return int(match["port"])


_LISTEN = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})")


class ArticleSettings(_Section):
    """The members-only article's cover card: the community's colours and, optionally, its logo."""

    # Background, text, then (optional) accent colour of the cover card, as #rrggbb or #rgb.
    colours: list[str] = Field(default_factory=lambda: ["#1d3557", "#f1faee"], min_length=1, max_length=3)
    logo: str = ""  # path of a PNG/JPEG/WebP image drawn in a corner of the card; "": none

    @field_validator("colours")
    @classmethod
    def _hex_colours(cls, value: list[str]) -> list[str]:
        for colour in value:
            if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})", colour.strip()):
                raise ValueError(f"« {colour} » n'est pas une couleur #rrggbb (ex. #1d3557)")
        return [colour.strip() for colour in value]

    @field_validator("logo")
    @classmethod
    def _existing_file(cls, value: str) -> str:
        value = value.strip()
        if value and not Path(value).is_file():
            raise ValueError(f"fichier introuvable : {value}")
        return value


class BilanSettings(_Section):
    """``/equipe bilan``'s monthly post: last month's image in the team channel on the first of each month, or when
    the bot is back if it was down then (for the months it ran in)."""

    monthly: bool = True


class Secrets(_Section):
    discord_token: SecretStr | None = None
    zoom_client_secret: SecretStr | None = None
    wordpress_app_password: SecretStr | None = None
    smtp_password: SecretStr | None = None
    resume_api_key: SecretStr | None = None


class Settings(_Section):
    general: GeneralSettings = GeneralSettings()
    discord: DiscordSettings = DiscordSettings()
    database: DatabaseSettings = DatabaseSettings()
    sessions: SessionSettings = SessionSettings()
    documentation: DocumentationSettings = DocumentationSettings()
    zoom: ZoomSettings = ZoomSettings()
    wordpress: WordPressSettings = WordPressSettings()
    mailing: MailingSettings = MailingSettings()
    audio: AudioSettings = AudioSettings()
    resume: ResumeSettings = ResumeSettings()
    web: WebSettings = WebSettings()
    article: ArticleSettings = ArticleSettings()
    bilan: BilanSettings = BilanSettings()
    secrets: Secrets = Secrets()

    def require_token(self) -> str:
        """The Discord token, or a ConfigError saying which variable to set."""
        token = self.secrets.discord_token
        if token is None or not token.get_secret_value().strip():
            raise ConfigError(
                "DISCORD_TOKEN manquant : définissez la variable d'environnement DISCORD_TOKEN "
                "(le jeton du bot, portail développeur Discord → Bot → Reset Token)."
            )
        return token.get_secret_value().strip()

    def require_integrations(self) -> None:
        """A ConfigError naming every key or secret an enabled integration lacks, so no call fails later for it."""
        missing = self.missing_integration_keys()
        if missing:
            raise ConfigError(
                f"Intégration activée mais incomplète, manquant : {', '.join(missing)} — les clés vont dans "
                "config.toml, les secrets dans l'environnement (voir README, « Configure »)."
            )

    def missing_integration_keys(self) -> list[str]:
        """What the enabled integrations need and lack, named as the operator writes them (``[zoom] account_id``)."""
        missing: list[str] = []
        if self.zoom.enabled:
            missing += _blank("zoom", self.zoom, "account_id", "client_id", "host_user")
            missing += self._unset("zoom_client_secret")
        if self.wordpress.enabled:
            missing += _blank("wordpress", self.wordpress, "url", "username") + self._unset("wordpress_app_password")
        if self.mailing.enabled:
            missing += _blank("mailing", self.mailing, "host", "sender", "list_address")
            if self.mailing.username.strip():  # a login without its password is refused by every server
                missing += self._unset("smtp_password")
        if self.resume.enabled:
            missing += _blank("resume", self.resume, "model")
            if not self.resume.local:  # a hosted provider always wants one; Ollama or vLLM here usually none
                missing += self._unset("resume_api_key")
        if self.web.enabled:
            missing += _blank("web", self.web, "public_url")
        return missing

    def _unset(self, field: str) -> list[str]:
        value: SecretStr | None = getattr(self.secrets, field)
        return [] if value is not None and value.get_secret_value().strip() else [_SECRET_VARIABLES[field]]


def _blank(section: str, values: BaseModel, *keys: str) -> list[str]:
    return [f"[{section}] {key}" for key in keys if not str(getattr(values, key)).strip()]


_SECRET_VARIABLES = {
    "discord_token": "DISCORD_TOKEN",
    "zoom_client_secret": "ZOOM_CLIENT_SECRET",
    "wordpress_app_password": "WORDPRESS_APP_PASSWORD",
    "smtp_password": "SMTP_PASSWORD",
    "resume_api_key": "RESUME_API_KEY",
}


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``config.toml`` (or ``path``) and the secrets from ``environ`` (default: ``os.environ``).

    A missing default file means "all defaults"; a missing explicit file is an error. Every problem becomes a
    ConfigError whose message is one line naming the key, so the operator never sees a traceback.
    """
    environ = os.environ if environ is None else environ
    explicit = path if path is not None else environ.get(CONFIG_PATH_ENV)
    config_path = Path(explicit) if explicit else DEFAULT_CONFIG_PATH
    raw: dict[str, Any] = {}
    if config_path.exists():
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:  # TOML files are UTF-8 by definition
            raise ConfigError(f"{config_path} : syntaxe TOML invalide ({exc}).") from exc
        except OSError as exc:  # a directory, or a file the bot's user may not read
            raise ConfigError(f"{config_path} : lecture impossible ({exc.strerror}).") from exc
    elif explicit:
        raise ConfigError(f"Fichier de configuration introuvable : {config_path}.")
    if "secrets" in raw:
        raise ConfigError(f"{config_path} : [secrets] interdit — les secrets viennent de l'environnement.")
    raw["secrets"] = {
        field: environ[variable] for field, variable in _SECRET_VARIABLES.items() if environ.get(variable)
    }
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, config_path)) from None


def _describe(exc: ValidationError, config_path: Path) -> str:
    """Turn pydantic's first error into one line naming the key, e.g. ``[sessions] buffer_minutes``."""
    error = exc.errors()[0]
    location = [str(part) for part in error["loc"]]
    if location and location[0] == "secrets" and len(location) > 1:
        key = _SECRET_VARIABLES.get(location[1], location[1])
    elif len(location) >= 2:
        key = f"[{location[0]}] {'.'.join(location[1:])}"
    else:
        key = f"[{location[0]}]" if location else "?"
    if error["type"] == "extra_forbidden":
        return f"{config_path} : clé inconnue {key} — vérifiez l'orthographe (voir config.example.toml)."
    value = error.get("input")
    shown = "" if isinstance(value, dict) else f" (reçu : {hide_password(repr(value))})"
    return f"{config_path} : valeur invalide pour {key}{shown} — {error['msg']}."


# ``scheme://user:password@host``: everything between the user's colon and the last @ is the password.
_URL_PASSWORD = re.compile(r"(://[^/:@\s]*):\S*@")


def hide_password(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``, even in a URL that does not parse."""
    return _URL_PASSWORD.sub(r"\1:***@", text)
