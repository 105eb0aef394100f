"""``python -m bot`` as an operator runs it: one readable line on failure, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.db import migrate
from tests.integration.command_line import REPO_ROOT, one_line, run_bot


def head_revision() -> str:
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert head is not None
    return head


def test_starting_without_a_token_says_so_in_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "DISCORD_TOKEN" in one_line(result.stderr)


def test_run_without_a_token_says_so_in_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "run")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "DISCORD_TOKEN" in one_line(result.stderr)


def test_check_config_with_a_bad_value_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[sessions]\nbuffer_minutes = "abc"\n', encoding="utf-8")
    result = run_bot(tmp_path, "check-config", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "[sessions] buffer_minutes" in one_line(result.stderr)


def test_check_config_reads_the_file_named_by_fabrique_config(tmp_path: Path) -> None:
    elsewhere = tmp_path / "conf" / "fabrique.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text('[general]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    result = run_bot(tmp_path, "check-config", DISCORD_TOKEN="MTIz.abc.def", FABRIQUE_CONFIG=str(elsewhere))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "[general] timezone" in one_line(result.stderr)


def test_check_config_with_a_missing_explicit_file_is_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "--config", str(tmp_path / "absent.toml"), "check-config", DISCORD_TOKEN="x")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "absent.toml" in one_line(result.stderr)


def test_check_config_with_a_latin1_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_bytes('[general]\ntimezone = "Europe/Paris" # été\n'.encode("latin-1"))
    result = run_bot(tmp_path, "check-config", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "config.toml" in one_line(result.stderr)


def test_check_config_without_a_token_names_the_variable(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[sessions]\nbuffer_minutes = 10\n", encoding="utf-8")
    result = run_bot(tmp_path, "check-config")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "DISCORD_TOKEN" in one_line(result.stderr)


def test_check_config_with_a_token_and_a_valid_file_succeeds(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[general]\ntimezone = "Europe/Paris"\n[sessions]\nbuffer_minutes = 10\n', encoding="utf-8"
    )
    result = run_bot(tmp_path, "check-config", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()
    assert "MTIz.abc.def" not in result.stdout + result.stderr  # the token is never echoed


def test_check_config_accepts_the_example_file(tmp_path: Path) -> None:
    result = run_bot(
        tmp_path, "--config", str(REPO_ROOT / "config.example.toml"), "check-config", DISCORD_TOKEN="MTIz.abc.def"
    )
    assert result.returncode == 0, result.stderr


def test_db_upgrade_creates_the_sqlite_file_and_prints_the_revision(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "data" / "fabrique.db").is_file()
    assert head_revision() in result.stdout

    current = run_bot(tmp_path, "db", "current")
    assert current.returncode == 0, current.stderr
    assert head_revision() in current.stdout


def test_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[database]\nurl = "postgresql+asyncpg://fabrique:s3cret@127.0.0.1:1/fabrique"\n', encoding="utf-8"
    )
    result = run_bot(tmp_path, "--config", str(config), "db", "upgrade")
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert "Base de données inaccessible" in line and "s3cret" not in line and "127.0.0.1:1" in line


def test_a_malformed_database_port_is_one_line_without_the_password(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[database]\nurl = "postgresql+asyncpg://fabrique:s3cret@db:abc/fabrique"\n', encoding="utf-8"
    )
    result = run_bot(tmp_path, "db", "current")
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert "[database] url" in line and "s3cret" not in line


def test_a_config_error_on_the_database_url_hides_its_password(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[database]\nurl = "mysql://fabrique:s3cret@db/fabrique"\n', encoding="utf-8")
    result = run_bot(tmp_path, "check-config", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert "[database] url" in line and "s3cret" not in line


def test_db_current_where_there_is_no_database_creates_nothing_and_says_so(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "db", "current")
    assert result.returncode != 0
    assert "fabrique.db" in one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []  # neither data/ nor an empty database


def test_db_downgrade_asks_for_yes_and_changes_nothing_without_it(tmp_path: Path) -> None:
    assert run_bot(tmp_path, "db", "upgrade").returncode == 0
    result = run_bot(tmp_path, "db", "downgrade", "base")
    assert result.returncode != 0
    assert "--yes" in one_line(result.stderr)
    assert head_revision() in run_bot(tmp_path, "db", "current").stdout  # every table still there


def test_db_downgrade_with_yes_goes_back(tmp_path: Path) -> None:
    assert run_bot(tmp_path, "db", "upgrade").returncode == 0
    result = run_bot(tmp_path, "db", "downgrade", "base", "--yes")
    assert result.returncode == 0, result.stderr
    assert "aucune" in result.stdout


def test_db_downgrade_to_an_unknown_revision_is_one_line(tmp_path: Path) -> None:
    assert run_bot(tmp_path, "db", "upgrade").returncode == 0
    result = run_bot(tmp_path, "db", "downgrade", "nope", "--yes")
    assert result.returncode != 0
    assert "nope" in one_line(result.stderr)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            '[zoom]\nenabled = true\nclient_id = "abc"\n',
            ["[zoom] account_id", "[zoom] host_user", "ZOOM_CLIENT_SECRET"],
        ),
        (
            '[wordpress]\nenabled = true\nurl = "https://example.org"\n',
            ["[wordpress] username", "WORDPRESS_APP_PASSWORD"],
        ),
        (
            '[mailing]\nenabled = true\nhost = "smtp.example.org"\nusername = "annonces"\n',
            ["[mailing] sender", "[mailing] list_address", "SMTP_PASSWORD"],
        ),
    ],
)
def test_check_config_names_what_an_enabled_integration_lacks(
    tmp_path: Path, section: str, expected: list[str]
) -> None:
    (tmp_path / "config.toml").write_text(section, encoding="utf-8")
    result = run_bot(tmp_path, "check-config", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert all(name in line for name in expected), line
    assert "Configuration valide" not in result.stdout


def test_run_refuses_to_start_with_an_incomplete_integration(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[zoom]\nenabled = true\n", encoding="utf-8")
    result = run_bot(tmp_path, "run", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode != 0
    assert "ZOOM_CLIENT_SECRET" in one_line(result.stderr)


def test_check_config_without_ffmpeg_warns_how_to_install_it(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run_bot(tmp_path, "check-config", DISCORD_TOKEN="MTIz.abc.def", PATH=str(empty))
    assert result.returncode == 0  # the bot runs without it; only recordings need it
    assert "apt-get install ffmpeg" in one_line(result.stderr)


def test_the_demo_without_ffmpeg_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run_bot(tmp_path, "demo", PATH=str(empty))
    assert result.returncode != 0
    line = one_line(result.stderr)
    assert "apt-get install ffmpeg" in line and "Base de données" not in line


def test_check_config_connect_reaches_the_sqlite_database(tmp_path: Path) -> None:
    assert run_bot(tmp_path, "db", "upgrade").returncode == 0
    result = run_bot(tmp_path, "check-config", "--connect", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Configuration valide")
    assert lines[1].startswith("Base de données : ok") and head_revision() in lines[1]
    assert lines[2:] == ["SMTP : désactivé", "WordPress : désactivé", "Zoom : désactivé", "Résumé : désactivé"]


def test_check_config_connect_does_not_create_a_missing_sqlite_database(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "check-config", "--connect", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode == 0, result.stderr
    assert "n'existe pas encore" in result.stdout
    assert not (tmp_path / "data").exists()


def test_check_config_connect_reaches_postgresql(tmp_path: Path) -> None:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL is not set (scripts/test starts PostgreSQL)")
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    result = run_bot(tmp_path, "check-config", "--connect", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode == 0, result.stderr
    assert "Base de données : ok" in result.stdout


def test_check_config_connect_says_which_database_failed_without_its_password(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[database]\nurl = "postgresql+asyncpg://fabrique:s3cret@127.0.0.1:1/fabrique"\n', encoding="utf-8"
    )
    result = run_bot(tmp_path, "check-config", "--connect", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode != 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("Base de données"))
    assert "ÉCHEC" in line and "127.0.0.1:1" in line and "s3cret" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_a_data_folder_that_cannot_be_made_is_a_database_line(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    result = run_bot(tmp_path, "run", DISCORD_TOKEN="MTIz.abc.def")
    assert result.returncode != 0
    assert "Base de données inaccessible" in one_line(result.stderr)  # said before Discord is even tried
