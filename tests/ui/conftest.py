"""A headless Chromium (Debian's, never a downloaded one) on the dev server's Temporal Web
UI, and a folder for the screenshots each step saves."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Page, async_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def artifacts(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Path:
    """`$INFOSHARE_UI_ARTIFACTS/TEST` (default `.artifacts/ui/`, ignored by git), emptied."""
    base = Path(os.environ.get("INFOSHARE_UI_ARTIFACTS") or ROOT / ".artifacts" / "ui")
    folder = base / re.sub(r"[^\w.-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with capsys.disabled():
        print(f"\nscreenshots of {request.node.name}: {folder}")
    return folder


@pytest_asyncio.fixture
async def page() -> AsyncIterator[Page]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield await browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            await browser.close()
