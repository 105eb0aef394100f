"""Links to recordings: only https to public hosts; nothing is fetched from inside the network."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import InvalidInput
from bot.integrations.download import DownloadError, check_public_https, download, parse_link

# Links httpx refuses (or whose host no socket can reach), each as a member could paste it.
UNREQUESTABLE = [
    "https://example.org/enregistrement\t.m4a",  # a tab, as copied from a spreadsheet cell
    "https://exa\tmple.org/enregistrement.m4a",
    "https://example.org/enregistrement\n.m4a",
    "https://example.org/\x7f.m4a",
    "https://exa\u200bmple.org/enregistrement.m4a",  # a zero-width space: an invalid host name
    "https://xn--zz.org/enregistrement.m4a",  # a broken internationalised name
    "https://example.org:99999/enregistrement.m4a",
    "https://example.org:0/enregistrement.m4a",
    "https://[::1/enregistrement.m4a",
    "https://example.org/" + "a" * 70_000,
]


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


@pytest.mark.parametrize("url", UNREQUESTABLE)
def test_a_link_httpx_would_refuse_is_refused_with_a_sentence(url: str) -> None:
    with pytest.raises(DownloadError) as refused:
        parse_link(url)
    assert refused.value.key == "error.download.invalid"
    assert isinstance(refused.value, InvalidInput)  # the command's error handler words it for the member


@pytest.mark.parametrize(("url", "key"), [("http://example.org/a.m4a", "error.download.scheme"),
                                          ("https:///a.m4a", "error.download.scheme")])  # fmt: skip
def test_a_link_that_is_not_https_to_a_host_is_refused(url: str, key: str) -> None:
    with pytest.raises(DownloadError) as refused:
        parse_link(url)
    assert refused.value.key == key


def test_the_link_checked_is_the_link_requested() -> None:
    """One parser for both: a backslash trick cannot show one host to the check and another to the request."""
    assert parse_link("https://example.org\\@127.0.0.1/a.m4a").host == "127.0.0.1"
    assert parse_link("https://exämple.org/a.m4a").raw_host == b"xn--exmple-cua.org"


async def test_downloading_a_link_with_a_tab_is_a_clear_refusal_and_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x"
    with pytest.raises(DownloadError) as refused:
        await download("https://example.org/enregistrement\t.m4a", target, max_bytes=1000)
    assert refused.value.key == "error.download.invalid"
    assert not target.exists()
