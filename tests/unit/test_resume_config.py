"""``[resume]`` and ``RESUME_API_KEY``: off by default, refused when malformed, and complete before the bot starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ResumeSettings, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_off_by_default() -> None:
    settings = ResumeSettings()
    assert (settings.enabled, settings.base_url, settings.model) == (False, "", "")
    assert (settings.timeout_seconds, settings.max_input_chars) == (120, 40000)


def test_the_key_comes_from_the_environment_only(tmp_path: Path) -> None:
    text = '[resume]\nbase_url = "https://api.mistral.ai/v1"\nmodel = "mistral-small-latest"\n'
    settings = load_settings(write(tmp_path, text), environ={"RESUME_API_KEY": "sk-123"})
    assert settings.resume.enabled and settings.secrets.resume_api_key is not None
    assert settings.secrets.resume_api_key.get_secret_value() == "sk-123"
    assert "sk-123" not in repr(settings)
    assert settings.missing_integration_keys() == []


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ('base_url = "https://api.mistral.ai/v1"\nmodel = "m"', ["RESUME_API_KEY"]),
        ('base_url = "https://api.mistral.ai/v1"', ["[resume] model", "RESUME_API_KEY"]),
        ('base_url = "http://127.0.0.1:11434/v1"\nmodel = "qwen2.5:7b"', []),  # a local Ollama: no key needed
        ('base_url = "http://localhost:8000/v1"', ["[resume] model"]),
        ('model = "m"', []),  # no base_url: off, nothing needed
    ],
)
def test_check_config_names_what_a_configured_endpoint_lacks(tmp_path: Path, text: str, missing: list[str]) -> None:
    settings = load_settings(write(tmp_path, f"[resume]\n{text}\n"), environ={})
    assert settings.missing_integration_keys() == missing
    if missing:
        with pytest.raises(ConfigError) as refused:
            settings.require_integrations()
        assert all(name in str(refused.value) for name in missing)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('base_url = "api.mistral.ai/v1"', "[resume] base_url"),
        ('base_url = "ftp://example.org/v1"', "[resume] base_url"),
        ('base_url = "https://example.org/v1?key=secret"', "[resume] base_url"),
        ("timeout_seconds = 0", "[resume] timeout_seconds"),
        ("max_input_chars = 100", "[resume] max_input_chars"),
        ('modele = "x"', "[resume] modele"),
    ],
)
def test_malformed_values_are_refused_in_one_line(tmp_path: Path, line: str, key: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(write(tmp_path, f"[resume]\n{line}\n"), environ={})
    assert key in str(refused.value) and "\n" not in str(refused.value)
