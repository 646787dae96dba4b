"""Headless Chromium (Debian's `chromium`), driven by Playwright, for tests of what a browser
does with the service: GraphiQL, and frontends on other origins.

Playwright never downloads a browser here: it starts the system's Chromium
(LOKETFLOW_CHROMIUM, /usr/bin/chromium by default) in a fresh profile. Without Chromium or
Playwright the tests are skipped, except in CI (`CI=true`), where they fail: `.ci/run` installs
both.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("LOKETFLOW_CHROMIUM", "/usr/bin/chromium"))
# Headless in a closed network: no background traffic of the browser's own (updates, sync,
# QUIC probes), which the network would refuse and which must not count as the page's.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}; CI must provide it (.ci/run installs it)", pytrace=False)
    pytest.skip(why)


def require_chromium() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
async def browser() -> AsyncIterator:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # A fresh profile per launch (Playwright makes a temporary --user-data-dir).
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()
