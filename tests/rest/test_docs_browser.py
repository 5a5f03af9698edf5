"""Swagger UI in headless Chromium against a real server: it renders every operation and runs
one, under the page's CSP, loading nothing from outside the service."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service.rest.routes import OPERATIONS
from tests.conftest import Servers
from tests.support.live import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def server(
    rest_sample_url: str, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("rest-live") / "server.log"
    with live_server(rest_sample_url, servers.redis_url, log) as base:
        yield base


@pytest.mark.slow
@pytest.mark.browser
async def test_swagger_ui_renders_and_runs_a_request(server: str) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (`make test` installs Debian's chromium as root)")
    from playwright.async_api import async_playwright

    origin = urlsplit(server).netloc
    requested: list[str] = []
    console: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            await page.goto(f"{server}/docs", wait_until="networkidle")
            await page.wait_for_selector(".opblock", timeout=30_000)
            operations = await page.locator(".opblock").count()
            block = page.locator("#operations-securities-getShortInterest")
            await block.locator(".opblock-summary").click()
            # The page opens in "Try it out" mode with the examples (symbol IWM) filled in.
            await block.locator(".execute").click()
            answer = block.locator(".live-responses-table").filter(has_text="72786177")
            await answer.wait_for(timeout=30_000)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "swagger-ui.png"))
        finally:
            await browser.close()
    assert operations == len(OPERATIONS)
    outside = [url for url in requested if urlsplit(url).netloc not in (origin, "")]
    assert outside == [], f"the docs page loaded from outside the service: {outside}"
    refused = [line for line in console if "Content Security Policy" in line]
    assert refused == []
