"""A real browser for the tests: Debian's chromium, headless, driven by selenium through Debian's chromedriver.

No download at run time (selenium is given both binaries, so its manager stays idle); scripts/test installs the
packages ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from selenium import webdriver
from selenium.webdriver.chrome.webdriver import WebDriver

T = TypeVar("T")
PACKAGES = "chromium chromium-driver"


class BrowserMissing(RuntimeError):
    pass


def binaries() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )
    if not browser or not driver:
        raise BrowserMissing(
            f"headless browser tests need Debian's {PACKAGES} (apt-get install {PACKAGES}; scripts/test)"
        )
    return browser, driver


@contextmanager
def chromium(*, width: int = 1280, height: int = 900) -> Iterator[WebDriver]:
    browser, driver_path = binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--mute-audio",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        "--lang=fr-FR",
    ):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # chromium refuses to run as root with its sandbox
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()


def wait_for(probe: Callable[[], T | None], *, timeout: float = 20.0, every: float = 0.1, what: str = "") -> T:
    """The first truthy value ``probe`` returns, or an AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or probe!r} (last: {last!r})")
