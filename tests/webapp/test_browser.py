"""The web app in headless Chromium against a real server over the sample database.

Every page draws with data from the API (the numbers the API answers), without a console error,
without a request leaving the origin, and without a serious or critical axe-core violation;
screenshots go to tests/artifacts/webapp/ (gitignored). The first-render time is printed here as
a number (the 1 s target is bench/webapp.py's business, never a timed assertion).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from service.db.pool import Database
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file
from tests.conftest import DatabaseFactory, Servers, shared_file
from tests.support.live import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "webapp"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
REGSHO = "regsho/CNMSshvol20210604.txt"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def webapp_sample_url(db_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample database (tests/support/datasets.py) plus FINRA's real Reg SHO day."""
    from tests.support.datasets import load_sample

    url = db_factory.create()
    load_sample(url, tmp_path_factory.mktemp("webapp-sample"))

    async def regsho() -> None:
        db = Database(url, min_size=1, max_size=2)
        await db.open()
        try:
            outcome = await ingest_file(db, shared_file(REGSHO), "short-volume", IngestOptions())
            assert outcome.status == "applied", outcome.error
        finally:
            await db.close()

    asyncio.run(regsho())
    return url


@pytest.fixture(scope="module")
def server(
    webapp_sample_url: str, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("webapp-live") / "server.log"
    # One browser opens many pages from one address: no rate limit here (the 429 test has one).
    with live_server(
        webapp_sample_url, servers.redis_url, log, SHORTFLOW_RATE_LIMIT_ENABLED="false"
    ) as base:
        yield base


@dataclass
class Visit:
    """What one browser page did: its requests, console lines and uncaught errors."""

    origin: str
    requested: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        return [u for u in self.requested if urlsplit(u).netloc not in (self.origin, "")]

    def errors(self) -> list[str]:
        return [line for line in self.console if line.startswith(("error", "pageerror"))]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (`make test` installs Debian's chromium as root)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def open_page(
    browser: Any, server: str, path: str, *, dark: bool = False, width: int = 1280
) -> tuple[Any, Visit]:
    """`path` loaded until the app says it drew the page (html[data-rendered])."""
    visit = Visit(urlsplit(server).netloc)
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light"
    )
    page = await context.new_page()
    page.on("request", lambda request: visit.requested.append(request.url))
    page.on("console", lambda message: visit.console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: visit.console.append(f"pageerror: {error}"))
    await page.goto(f"{server}{path}")
    await page.wait_for_selector("html[data-rendered]", timeout=30_000)
    return page, visit


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (evaluated by the test, not loaded
    by the page, so the page's CSP stays as served)."""
    await page.evaluate(AXE.read_text("utf-8"))
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


async def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# (path, screenshot name, text the page must show: a number or name the API answers for it)
PAGES = [
    ("/", "home", "R2000"),
    ("/security/IWM", "security-IWM", "72,786,177"),
    ("/fund/EWJ", "fund-EWJ", "-$743.5M"),
    ("/fund/EWJ?period=month", "fund-EWJ-month", "2026-03-31"),
    ("/index/R2000", "index-R2000", "$21.2B"),
    ("/screens", "screens-squeeze", "GameStop Corp."),
    ("/screens?tab=short-interest&sort=SHORT_VALUE_USD", "screens-short-interest", "72,786,177"),
    ("/screens?tab=short-volume", "screens-short-volume", "2021-06-04"),
    ("/calendar?year=2026", "calendar-2026", "2026-08-11"),
]


@pytest.mark.parametrize(("path", "name", "shows"), PAGES, ids=[p[1] for p in PAGES])
async def test_page_draws_api_data_with_nothing_from_outside(
    server: str, browser: Any, path: str, name: str, shows: str
) -> None:
    page, visit = await open_page(browser, server, path)
    text = await page.inner_text("main")
    await screenshot(page, name)
    violations = await axe_violations(page)
    assert shows in text
    assert await page.locator("main .error").count() == 0, text
    assert visit.outside() == [], f"requests left the origin: {visit.outside()}"
    assert visit.errors() == []
    assert violations == [], json.dumps(violations, indent=1)


async def test_security_page_charts_and_numbers_equal_the_api(server: str, browser: Any) -> None:
    import httpx

    page, visit = await open_page(browser, server, "/security/IWM")
    # Three charts: short interest with price, the ratios, Reg SHO short volume ratio.
    assert await page.locator("main .uplot").count() == 3
    first_render_ms = await page.evaluate(
        "performance.getEntriesByName('shortflow:rendered')[0].startTime"
    )
    print(f"first render of /security/IWM: {first_render_ms:.0f} ms (bench/webapp.py measures)")
    rows = await page.locator("main table.data tbody tr").all_inner_texts()
    async with httpx.AsyncClient(base_url=server) as client:
        answer = await client.get("/v1/securities/IWM/short-interest")
    api = {row["settlement_date"]: row["short_interest"] for row in answer.json()["data"]}
    shown = {row.split("\t")[0]: int(row.split("\t")[2].replace(",", "")) for row in rows}
    assert shown == api
    # Every GraphQL request was a GET with a persisted-query hash.
    graphql = [u for u in visit.requested if urlsplit(u).path == "/graphql"]
    assert graphql
    assert all("persistedQuery" in u for u in graphql)


async def test_as_known_on_hides_what_was_published_later(server: str, browser: Any) -> None:
    # shrt20260731 is published on 2026-08-11: on 2026-08-10 only July 15 is known.
    page, _ = await open_page(browser, server, "/security/IWM?asOf=2026-08-10")
    rows = await page.locator("main table.data tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["2026-07-15"]
    assert await page.input_value("#as-of") == "2026-08-10"
    await page.fill("#as-of", "2026-08-11")
    await page.dispatch_event("#as-of", "change")
    await page.wait_for_function("location.search === '?asOf=2026-08-11'")
    await page.locator("main table.data tbody tr").nth(1).wait_for()
    rows = await page.locator("main table.data tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["2026-07-31", "2026-07-15"]


async def test_phone_sized_dark_theme(server: str, browser: Any) -> None:
    page, visit = await open_page(browser, server, "/security/IWM", dark=True, width=390)
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    await screenshot(page, "security-IWM-phone-dark")
    violations = await axe_violations(page)
    assert background == "rgb(20, 22, 26)"
    assert overflow <= 0, "the page scrolls sideways on a phone"
    assert visit.errors() == []
    assert violations == [], json.dumps(violations, indent=1)


async def test_unknown_symbol_says_so(server: str, browser: Any) -> None:
    page, visit = await open_page(browser, server, "/security/NOSUCH")
    alert = await page.inner_text("main [role=alert]")
    assert "No security NOSUCH is known to this service" in alert
    assert visit.errors() == []


async def test_search_type_ahead_with_the_keyboard(server: str, browser: Any) -> None:
    page, visit = await open_page(browser, server, "/")
    await page.focus("#search")
    # One input event, so one query: the list cannot change under the arrow key.
    await page.fill("#search", "iShares Russell 2000")
    await page.wait_for_selector("#search-results li[role=option]")
    await page.keyboard.press("ArrowDown")
    selected = await page.inner_text("#search-results li[aria-selected=true] strong")
    await page.keyboard.press("Enter")
    await page.wait_for_function("location.pathname === '/security/IWM'")
    await page.wait_for_function("document.title.startsWith('IWM')")
    assert selected == "IWM"
    assert visit.errors() == []


async def test_sorting_a_screen_by_a_column(server: str, browser: Any) -> None:
    page, _ = await open_page(browser, server, "/screens?tab=short-interest")
    await page.get_by_role("button", name="Days to cover").click()
    await page.wait_for_function("location.search.includes('sort=DAYS_TO_COVER')")
    await page.wait_for_selector("th[aria-sort=descending] >> text=Days to cover")
    cells = await page.locator("main table.data tbody tr td:nth-child(7)").all_inner_texts()
    values = [float(c.replace(",", "")) for c in cells if c != "\N{EN DASH}"]
    assert values == sorted(values, reverse=True)
    assert len(values) > 1


async def test_a_rate_limited_page_says_when_to_retry(
    webapp_sample_url: str, servers: Servers, browser: Any, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with live_server(
        webapp_sample_url, servers.redis_url, log, SHORTFLOW_ANONYMOUS_RATE_LIMIT="2"
    ) as base:
        for _ in range(6):  # 2 requests a minute: spent within a few pages
            page, visit = await open_page(browser, base, "/calendar?year=2026")
            if await page.locator("main [role=alert]").count():
                break
        alert = await page.inner_text("main [role=alert]")
        await screenshot(page, "rate-limited")
    assert "Too many requests" in alert
    assert "Retry in" in alert
    assert visit.outside() == []


@pytest.fixture
def api_key(webapp_sample_url: str, servers: Servers) -> str:
    """A key created with the real command in the sample database."""
    env = {**os.environ, "DATABASE_URL": webapp_sample_url, "REDIS_URL": servers.redis_url}
    created = subprocess.run(
        [sys.executable, "-m", "service", "keys", "create", "--name", "webapp-test"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


async def test_with_keys_required_the_page_asks_for_one_and_the_csv_link_sends_it(
    webapp_sample_url: str, servers: Servers, browser: Any, api_key: str, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with live_server(
        webapp_sample_url, servers.redis_url, log, SHORTFLOW_REQUIRE_API_KEY="true"
    ) as base:
        page, visit = await open_page(browser, base, "/calendar?year=2026")
        refused = await page.inner_text("main [role=alert]")
        bar_visible = await page.is_visible("#key-bar")
        await page.fill("#api-key", api_key)
        await page.press("#api-key", "Enter")
        await page.get_by_text("2026-08-11").first.wait_for(timeout=30_000)
        async with page.expect_download() as downloading:
            await page.click("a.csv")
        download = await downloading.value
        csv = await asyncio.to_thread(Path(await download.path()).read_text, "utf-8")
        await screenshot(page, "calendar-with-key")
    assert "requires an API key" in refused
    assert bar_visible
    assert "2026-08-11" in csv
    assert download.suggested_filename == "settlement-calendar-2026.csv"
    assert visit.outside() == []


async def test_calendar_highlights_the_next_publication(server: str, browser: Any) -> None:
    import httpx

    today = datetime.now(UTC).date().isoformat()  # the app's today is the UTC date too
    year = int(today[:4])
    page, visit = await open_page(browser, server, f"/calendar?year={year}")
    rows = await page.locator("main table.data tbody tr").all_inner_texts()
    highlighted = await page.locator("main table.data tbody tr.next").all_inner_texts()
    async with httpx.AsyncClient(base_url=server) as client:
        answer = await client.get("/v1/settlement-calendar", params={"year": year})
    api = answer.json()["data"]
    upcoming = sorted(r["publication_date"] for r in api if r["publication_date"] >= today)
    assert [row.split("\t")[0] for row in rows] == [r["settlement_date"] for r in api]
    assert [row.split("\t")[1].split(" ")[0] for row in highlighted] == upcoming[:1]
    assert visit.errors() == []
