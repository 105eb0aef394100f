"""Fixtures for the integration tests: real outside systems started on this machine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.wordpress_server import WordPressSite, running_wordpress


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPressSite]:
    """A real WordPress (Debian's package, MariaDB, php -S) on 127.0.0.1, shared by the whole session."""
    with running_wordpress() as site:
        yield site
