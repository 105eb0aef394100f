"""``[zoom] auto_recording``, ``recording_wait_hours`` and ``delete_cloud_recording``: defaults, refusals naming the
key, and what they change (meetings created recording that way; Zoom asked only when it records to the cloud)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, ZoomSettings, load_settings
from bot.services.timeline import timeline_settings
from tests.conftest import make_settings


def test_the_defaults_record_to_the_cloud_and_keep_the_recording() -> None:
    zoom = Settings().zoom
    assert (zoom.auto_recording, zoom.recording_wait_hours, zoom.delete_cloud_recording) == ("cloud", 24, False)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('auto_recording = "cloudy"', "[zoom] auto_recording"),
        ("recording_wait_hours = 0", "[zoom] recording_wait_hours"),
        ("recording_wait_hours = 721", "[zoom] recording_wait_hours"),
        ('delete_cloud_recording = "oui"', "[zoom] delete_cloud_recording"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_key(tmp_path: Path, line: str, key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[zoom]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, environ={})
    assert key in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("zoom", "hours"),
    [
        (ZoomSettings(enabled=True), 24),
        (ZoomSettings(enabled=True, recording_wait_hours=48), 48),
        (ZoomSettings(enabled=True, auto_recording="local"), 0),  # nothing in the cloud to ask for
        (ZoomSettings(enabled=True, auto_recording="none"), 0),
        (ZoomSettings(enabled=False), 0),  # the team pastes links: no meeting of the bot's
    ],
)
def test_zoom_is_asked_only_when_it_records_to_the_cloud(tmp_path: Path, zoom: ZoomSettings, hours: int) -> None:
    assert timeline_settings(make_settings(tmp_path, zoom=zoom)).recording_wait_hours == hours
