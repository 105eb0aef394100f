"""``check-config --connect`` against real servers: an SMTP server (aiosmtpd, STARTTLS and login required), the
local Zoom OAuth stand-in and a real WordPress. Each service gets one outcome saying what answered or what failed,
and no secret ever appears in it."""

from __future__ import annotations

import asyncio
import ssl
import sys
from pathlib import Path

from pydantic import SecretStr

from bot.config import MailingSettings, Secrets, Settings, WordPressSettings, ZoomSettings
from bot.preflight import Outcome, check_services
from tests.conftest import make_settings
from tests.integration.command_line import clean_environment
from tests.integration.smtp_server import HOST, LIST_ADDRESS, PASSWORD, SENDER, USERNAME
from tests.integration.wordpress_server import WordPressSite
from tests.integration.zoom_fake import FakeZoom

ZOOM_ACCOUNT, ZOOM_CLIENT, ZOOM_SECRET = "acc-123", "client-abc", "zoom-s3cret"


async def outcome(settings: Settings, service: str, tls: ssl.SSLContext | None = None) -> Outcome:
    outcomes = await check_services(settings, tls_context=tls)
    assert [o.service for o in outcomes] == ["Base de données", "SMTP", "WordPress", "Zoom", "Résumé"]
    return next(o for o in outcomes if o.service == service)


def mailing(port: int) -> MailingSettings:
    return MailingSettings(
        enabled=True, host=HOST, port=port, username=USERNAME, sender=SENDER, list_address=LIST_ADDRESS
    )


async def test_smtp_login_over_starttls_is_ok(tmp_path: Path, smtp_port: int, client_tls: ssl.SSLContext) -> None:
    settings = make_settings(tmp_path, mailing=mailing(smtp_port), secrets=Secrets(smtp_password=SecretStr(PASSWORD)))
    result = await outcome(settings, "SMTP", client_tls)
    assert result.status == "ok", result.line()
    assert "STARTTLS" in result.line() and USERNAME in result.line()


async def test_a_wrong_smtp_password_names_what_to_check(
    tmp_path: Path, smtp_port: int, client_tls: ssl.SSLContext
) -> None:
    settings = make_settings(tmp_path, mailing=mailing(smtp_port), secrets=Secrets(smtp_password=SecretStr("wrong")))
    result = await outcome(settings, "SMTP", client_tls)
    assert result.failed
    assert "535" in result.line() and "SMTP_PASSWORD" in result.line() and "wrong" not in result.line()


async def test_an_smtp_server_that_is_down_says_where_it_was_looked_for(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, mailing=mailing(1), secrets=Secrets(smtp_password=SecretStr(PASSWORD)))
    result = await outcome(settings, "SMTP")
    assert result.failed and f"{HOST}:1" in result.line()


def zoom_settings(zoom: FakeZoom) -> ZoomSettings:
    return ZoomSettings(
        enabled=True, account_id=ZOOM_ACCOUNT, client_id=ZOOM_CLIENT, host_user="me", oauth_url=zoom.oauth_url
    )


async def test_a_zoom_token_is_obtained(tmp_path: Path) -> None:
    async with FakeZoom(account_id=ZOOM_ACCOUNT, client_id=ZOOM_CLIENT, client_secret=ZOOM_SECRET) as zoom:
        settings = make_settings(
            tmp_path, zoom=zoom_settings(zoom), secrets=Secrets(zoom_client_secret=SecretStr(ZOOM_SECRET))
        )
        result = await outcome(settings, "Zoom")
        assert len(zoom.oauth_requests) == 1
    assert result.status == "ok", result.line()
    assert ZOOM_SECRET not in result.line()


async def test_a_refused_zoom_secret_names_what_to_check(tmp_path: Path) -> None:
    async with FakeZoom(account_id=ZOOM_ACCOUNT, client_id=ZOOM_CLIENT, client_secret=ZOOM_SECRET) as zoom:
        settings = make_settings(
            tmp_path, zoom=zoom_settings(zoom), secrets=Secrets(zoom_client_secret=SecretStr("not-it"))
        )
        result = await outcome(settings, "Zoom")
    assert result.failed
    assert "ZOOM_CLIENT_SECRET" in result.line() and "not-it" not in result.line()


async def test_wordpress_auth_with_an_application_password_is_ok(tmp_path: Path, wordpress: WordPressSite) -> None:
    settings = make_settings(
        tmp_path,
        wordpress=WordPressSettings(enabled=True, url=wordpress.url, username=wordpress.author_username),
        secrets=Secrets(wordpress_app_password=SecretStr(wordpress.author_app_password)),
    )
    result = await outcome(settings, "WordPress")
    assert result.status == "ok", result.line()
    assert wordpress.author_app_password not in result.line()


async def test_a_wrong_wordpress_password_names_what_to_check(tmp_path: Path, wordpress: WordPressSite) -> None:
    settings = make_settings(
        tmp_path,
        wordpress=WordPressSettings(enabled=True, url=wordpress.url, username=wordpress.author_username),
        secrets=Secrets(wordpress_app_password=SecretStr("abcd efgh ijkl mnop qrst uvwx")),
    )
    result = await outcome(settings, "WordPress")
    assert result.failed
    assert "401" in result.line() and "WORDPRESS_APP_PASSWORD" in result.line()


async def test_an_unreachable_wordpress_is_a_failure_line(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        wordpress=WordPressSettings(enabled=True, url="http://127.0.0.1:1", username="bot"),
        secrets=Secrets(wordpress_app_password=SecretStr("x")),
    )
    result = await outcome(settings, "WordPress")
    assert result.failed and "injoignable" in result.line()


async def test_the_command_prints_one_line_per_service_and_logs_no_request_url(tmp_path: Path) -> None:
    async with FakeZoom(account_id=ZOOM_ACCOUNT, client_id=ZOOM_CLIENT, client_secret=ZOOM_SECRET) as zoom:
        (tmp_path / "config.toml").write_text(
            f'[zoom]\nenabled = true\naccount_id = "{ZOOM_ACCOUNT}"\nclient_id = "{ZOOM_CLIENT}"\n'
            f'host_user = "me"\noauth_url = "{zoom.oauth_url}"\n',
            encoding="utf-8",
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "check-config",
            "--connect",
            cwd=tmp_path,
            env=clean_environment(DISCORD_TOKEN="MTIz.abc.def", ZOOM_CLIENT_SECRET=ZOOM_SECRET),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    lines = stdout.decode().splitlines()
    assert process.returncode == 0, stderr.decode()
    services = ["Base de données", "SMTP", "WordPress", "Zoom", "Résumé"]
    assert [line.split(" : ")[0] for line in lines[1:]] == services
    assert lines[-2].startswith("Zoom : ok") and lines[-1] == "Résumé : désactivé"
    # httpx would log "HTTP Request: POST …/oauth/token?grant_type=…&account_id=…" at INFO
    assert ZOOM_ACCOUNT not in stderr.decode() and ZOOM_SECRET not in stdout.decode() + stderr.decode()
