"""A newcomer's whole journey in one scenario, with every integration on: a local Zoom-shaped server, a real
WordPress and a real SMTP server. The same script is ``python -m bot demo`` (integrations off)."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import trustme
from mutagen.id3 import ID3
from pydantic import SecretStr

from bot.config import MailingSettings, WordPressSettings
from bot.integrations.wordpress import WordPressClient
from demo.journey import Journey
from tests.conftest import make_settings
from tests.integration.smtp_server import HOST, PASSWORD, USERNAME, Inbox, start_smtp
from tests.integration.zoom_fake import ZOOM_IDS, FakeZoom


async def test_the_whole_journey_with_every_integration(tmp_path: Path, wordpress) -> None:
    ca = trustme.CA()
    inbox = Inbox()
    smtp = await start_smtp(inbox, ca)
    ca_file = tmp_path / "smtp-ca.pem"  # the test SMTP server's certificate comes from a private CA
    ca.cert_pem.write_to_path(str(ca_file))

    try:
        async with FakeZoom(**ZOOM_IDS) as zoom:
            base = make_settings(
                tmp_path,
                zoom=zoom.settings(),
                wordpress=WordPressSettings(
                    enabled=True,
                    url=wordpress.url,
                    username=wordpress.admin_username,
                    article_status="private",
                    articles_category="Fabriques collectives",
                    events_category="Agenda",
                ),
                mailing=MailingSettings(
                    enabled=True,
                    host=HOST,
                    port=smtp.port,
                    username=USERNAME,
                    sender="fabrique@tmnlab.test",
                    list_address="membres@tmnlab.test",
                    ca_file=str(ca_file),
                ),
            )
            settings = base.model_copy(
                update={
                    "secrets": base.secrets.model_copy(
                        update={
                            "zoom_client_secret": SecretStr(ZOOM_IDS["client_secret"]),
                            "wordpress_app_password": SecretStr(wordpress.admin_app_password),
                            "smtp_password": SecretStr(PASSWORD),
                        }
                    )
                }
            )
            transcript: list[str] = []
            journey = Journey(settings, tmp_path, transcript.append, zoom_is_automatic=True)
            result = await journey.run()
    finally:
        smtp.stop()

    number = result.fabrique_id
    assert result.seated == 25 and result.waitlisted == 4  # 30 reacted, 25 seats, one left, one promoted
    assert "Une place s'est libérée" in result.promoted_dm
    assert result.reminders_24h == 25 and result.reminders_1h == 25
    assert "Merci d'avoir animé" in result.recap_prompt
    assert "est prête" in result.documentation_message
    assert "mutualiser" in result.forum_post
    assert result.chasers_after_publication == 0
    assert result.state == "documented" and "documentée : **1**" in result.follow_up

    meetings = list(zoom.meetings.values())
    assert len(meetings) == 1 + 3  # the single session's, then one per session of the series
    assert all(meeting["duration"] == 120 for meeting in meetings)
    assert not any(meeting["join_url"] in line for line in transcript for meeting in meetings)  # never public

    subjects = [email.message_from_bytes(e.content, policy=policy.default)["subject"] for e in inbox.received]
    assert len(subjects) == 2 and "Billetterie" in subjects[0]  # one for the session, one for the whole series
    assert "Cycle d'écriture" in subjects[1]

    assert result.series_announcements == 1  # three dates, one announcement
    assert [line.split(" · ")[0] for line in result.series_dates] == ["Séance 1", "Séance 2", "Séance 3"]
    assert result.series_reminders == [6, 5, 6]  # six registered for the series, one absent from session 2
    assert [line.split(" · ")[0] for line in result.series_thread] == [f"**Séance {n}/3**" for n in (1, 2, 3)]

    site = WordPressClient(wordpress.url, wordpress.admin_username, wordpress.admin_app_password)
    try:
        agenda = await site.find_post(f"fabrique-{number}-agenda")
        article = await site.find_post(f"fabrique-{number}-documentation")
    finally:
        await site.aclose()
    assert agenda is not None and agenda.status == "publish"
    assert article is not None and article.status == "private"

    mp3 = result.files["mp3"]
    tags = ID3(mp3)
    assert tags["TIT2"].text[0] == "Billetterie : mutualiser nos outils"
    assert [frame.element_id for frame in tags.getall("CHAP")] != []
    assert result.files["calendar"].read_bytes().startswith(b"BEGIN:VCALENDAR")
    html = result.files["article"].read_text()
    assert '[audio src="' in html and "<script" not in html  # WordPress's player, for any publishing role
