"""``bot.config.load_settings``: defaults, the example file, one-line errors naming the key, secrets from env only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "config.example.toml"
SECRET_VARIABLES = ("DISCORD_TOKEN", "ZOOM_CLIENT_SECRET", "WORDPRESS_APP_PASSWORD", "SMTP_PASSWORD")


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as refused:
        load_settings(path, environ={} if environ is None else environ)
    message = str(refused.value)
    assert message.strip(), "the message must not be empty"
    assert "\n" not in message, f"the message must be one line: {message!r}"
    return message


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.database.url == "sqlite+aiosqlite:///data/fabrique.db"
    assert settings.database.url.startswith("sqlite+aiosqlite://")
    assert not settings.zoom.enabled
    assert not settings.wordpress.enabled
    assert not settings.mailing.enabled
    assert settings.sessions.durations_minutes == [90, 120, 150]
    assert settings.sessions.buffer_minutes == 15
    assert settings.general.timezone == "Europe/Paris"
    assert settings.general.language == "fr"
    assert settings.secrets.discord_token is None
    assert settings == Settings()


def test_config_toml_in_the_working_directory_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "[sessions]\nbuffer_minutes = 30\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).sessions.buffer_minutes == 30


def test_the_example_file_loads_and_matches_the_defaults() -> None:
    assert EXAMPLE.exists(), "config.example.toml must sit at the repository root"
    settings = load_settings(EXAMPLE, environ={})
    assert settings == Settings()  # the example shows every key with its default value


def test_a_full_valid_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[general]
timezone = "America/Montreal"
language = "en"
[discord]
guild_id = 123
team_channel_id = 456
[database]
url = "postgresql+asyncpg://bot@db:5432/fabrique"
[sessions]
durations_minutes = [60, 90]
buffer_minutes = 0
[zoom]
enabled = true
account_id = "acc"
""",
    )
    settings = load_settings(path, environ={})
    assert settings.general.timezone == "America/Montreal"
    assert settings.general.tz.key == "America/Montreal"
    assert settings.general.language == "en"
    assert (settings.discord.guild_id, settings.discord.team_channel_id) == (123, 456)
    assert settings.database.url == "postgresql+asyncpg://bot@db:5432/fabrique"
    assert settings.sessions.durations_minutes == [60, 90]
    assert settings.sessions.buffer_minutes == 0
    assert settings.zoom.enabled
    assert settings.zoom.account_id == "acc"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[sessions]\nbuffer_minutes = "abc"\n', "[sessions] buffer_minutes"),
        ("[sessions]\nbuffer_minutes = -1\n", "[sessions] buffer_minutes"),
        ("[sessions]\ndurations_minutes = []\n", "[sessions] durations_minutes"),
        ('[general]\ntimezone = "Mars/Olympus"\n', "[general] timezone"),
        ('[general]\nlanguage = "de"\n', "[general] language"),
        ('[database]\nurl = "mysql://x"\n', "[database] url"),
        ("[mailing]\nport = 70000\n", "[mailing] port"),
        ('[discord]\nteam_role_id = "équipe"\n', "[discord] team_role_id"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    message = config_error(write(tmp_path, text))
    assert key in message


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    message = config_error(write(tmp_path, "[sessions]\nbufer_minutes = 10\n"))
    assert "[sessions] bufer_minutes" in message


def test_an_unknown_section_is_named(tmp_path: Path) -> None:
    message = config_error(write(tmp_path, "[sesions]\nbuffer_minutes = 10\n"))
    assert "sesions" in message


def test_secrets_section_is_refused(tmp_path: Path) -> None:
    message = config_error(write(tmp_path, '[secrets]\ndiscord_token = "abc"\n'))
    assert "[secrets]" in message


def test_a_token_in_a_known_section_is_not_a_secret_source(tmp_path: Path) -> None:
    message = config_error(write(tmp_path, '[discord]\ntoken = "abc"\n'))
    assert "[discord] token" in message


def test_secrets_come_from_the_environ_mapping(tmp_path: Path) -> None:
    environ = {name: f"value-of-{name}" for name in SECRET_VARIABLES}
    settings = load_settings(write(tmp_path, ""), environ=environ)
    secrets = settings.secrets
    assert secrets.discord_token is not None
    assert secrets.discord_token.get_secret_value() == "value-of-DISCORD_TOKEN"
    assert secrets.zoom_client_secret is not None
    assert secrets.zoom_client_secret.get_secret_value() == "value-of-ZOOM_CLIENT_SECRET"
    assert secrets.wordpress_app_password is not None
    assert secrets.wordpress_app_password.get_secret_value() == "value-of-WORDPRESS_APP_PASSWORD"
    assert secrets.smtp_password is not None
    assert secrets.smtp_password.get_secret_value() == "value-of-SMTP_PASSWORD"
    assert "value-of-DISCORD_TOKEN" not in repr(settings)  # secrets never show up in logs or tracebacks


def test_secrets_are_not_read_from_the_process_environment_when_a_mapping_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "from-os-environ")
    settings = load_settings(write(tmp_path, ""), environ={})
    assert settings.secrets.discord_token is None


def test_an_empty_secret_variable_counts_as_unset(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), environ={"DISCORD_TOKEN": ""})
    assert settings.secrets.discord_token is None


def test_an_explicit_missing_path_is_an_error(tmp_path: Path) -> None:
    message = config_error(tmp_path / "nowhere.toml")
    assert "nowhere.toml" in message


def test_invalid_toml_is_an_error(tmp_path: Path) -> None:
    message = config_error(write(tmp_path, "[sessions\nbuffer_minutes = = 3\n"))
    assert "config.toml" in message


def test_a_file_not_in_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes('[general]\ntimezone = "Europe/Paris" # été\n'.encode("latin-1"))
    message = config_error(path)
    assert "config.toml" in message


def test_a_directory_instead_of_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "config.toml").mkdir()
    message = config_error(tmp_path / "config.toml")
    assert "config.toml" in message


def test_fabrique_config_variable_picks_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "[sessions]\nbuffer_minutes = 1\n")  # the default file, which the variable overrides
    chosen = write(tmp_path, "[sessions]\nbuffer_minutes = 45\n", name="elsewhere.toml")
    settings = load_settings(environ={"FABRIQUE_CONFIG": str(chosen)})
    assert settings.sessions.buffer_minutes == 45


def test_fabrique_config_pointing_nowhere_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"FABRIQUE_CONFIG": str(tmp_path / "missing.toml")})
    assert "missing.toml" in str(refused.value)


def test_an_explicit_path_wins_over_fabrique_config(tmp_path: Path) -> None:
    chosen = write(tmp_path, "[sessions]\nbuffer_minutes = 20\n", name="chosen.toml")
    other = write(tmp_path, "[sessions]\nbuffer_minutes = 40\n", name="other.toml")
    settings = load_settings(chosen, environ={"FABRIQUE_CONFIG": str(other)})
    assert settings.sessions.buffer_minutes == 20


def test_require_token_without_token_names_the_variable(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), environ={})
    with pytest.raises(ConfigError) as refused:
        settings.require_token()
    assert "DISCORD_TOKEN" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_require_token_with_a_blank_token_names_the_variable(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), environ={"DISCORD_TOKEN": "   "})
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        settings.require_token()


def test_require_token_returns_the_token(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), environ={"DISCORD_TOKEN": "MTIz.abc.def"})
    assert settings.require_token() == "MTIz.abc.def"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://fabrique:s3cret@db:abc/fabrique",  # a port that is not a number
        "mysql://fabrique:s3cret@db/fabrique",  # an unsupported driver
        "postgresql+asyncpg://fabrique:s3cret@with@at@db:x/fabrique",  # an unencoded @ in the password
    ],
)
def test_a_bad_database_url_is_one_line_without_its_password(tmp_path: Path, url: str) -> None:
    message = config_error(write(tmp_path, f'[database]\nurl = "{url}"\n'))
    assert "[database] url" in message
    assert "s3cret" not in message


def complete_integrations() -> str:
    return """
[zoom]
enabled = true
account_id = "acc"
client_id = "cli"
host_user = "host@example.org"
[wordpress]
enabled = true
url = "https://www.example.org"
username = "bot"
[mailing]
enabled = true
host = "smtp.example.org"
username = "annonces"
sender = "annonces@example.org"
list_address = "liste@example.org"
"""


def test_complete_integrations_pass(tmp_path: Path) -> None:
    environ = {name: "x" for name in SECRET_VARIABLES}
    settings = load_settings(write(tmp_path, complete_integrations()), environ=environ)
    settings.require_integrations()
    assert settings.missing_integration_keys() == []


@pytest.mark.parametrize(
    ("remove", "missing"),
    [
        ('account_id = "acc"', "[zoom] account_id"),
        ('host_user = "host@example.org"', "[zoom] host_user"),
        ("ZOOM_CLIENT_SECRET", "ZOOM_CLIENT_SECRET"),
        ('url = "https://www.example.org"', "[wordpress] url"),
        ("WORDPRESS_APP_PASSWORD", "WORDPRESS_APP_PASSWORD"),
        ('list_address = "liste@example.org"', "[mailing] list_address"),
        ("SMTP_PASSWORD", "SMTP_PASSWORD"),
    ],
)
def test_an_enabled_integration_without_a_key_or_secret_is_named(tmp_path: Path, remove: str, missing: str) -> None:
    environ = {name: "x" for name in SECRET_VARIABLES if name != remove}
    settings = load_settings(write(tmp_path, complete_integrations().replace(remove, "")), environ=environ)
    assert settings.missing_integration_keys() == [missing]
    with pytest.raises(ConfigError) as refused:
        settings.require_integrations()
    assert missing in str(refused.value) and "\n" not in str(refused.value)


def test_a_disabled_integration_needs_nothing(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[zoom]\nenabled = false\n"), environ={})
    settings.require_integrations()


def test_mailing_without_a_login_needs_no_password(tmp_path: Path) -> None:
    text = complete_integrations().replace('username = "annonces"', "")
    environ = {name: "x" for name in SECRET_VARIABLES if name != "SMTP_PASSWORD"}
    assert load_settings(write(tmp_path, text), environ=environ).missing_integration_keys() == []
