"""Links to recordings: only https to public hosts; nothing is fetched from inside the network."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.integrations.download import DownloadError, check_public_https, download


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://example.org/a.m4a", "error.download.scheme"),
        ("file:///etc/passwd", "error.download.scheme"),
        ("https://127.0.0.1/a.m4a", "error.download.private"),
        ("https://10.0.0.1/a.m4a", "error.download.private"),
        ("https://169.254.169.254/latest/meta-data", "error.download.private"),
        ("https://[::1]/a.m4a", "error.download.private"),
        ("https://localhost/a.m4a", "error.download.private"),
    ],
)
async def test_refused_before_any_connection(url: str, key: str) -> None:
    with pytest.raises(DownloadError) as refused:
        await check_public_https(url)
    assert refused.value.key == key


async def test_download_refuses_private_target_and_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x"
    with pytest.raises(DownloadError) as refused:
        await download("https://127.0.0.1:9/a.m4a", target, max_bytes=1000)
    assert refused.value.key == "error.download.private"
    assert not target.exists()
