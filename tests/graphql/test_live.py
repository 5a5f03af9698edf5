"""Against a real server process: the graphql-http audit and GraphiQL in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import Servers
from tests.support.live import live_server

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "tools" / "graphql-http-audit"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server(
    sample_url: str, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("live") / "server.log"
    # These tests check HTTP semantics with hundreds of requests from one IP: no rate limit.
    with live_server(
        sample_url, servers.redis_url, log, SHORTFLOW_RATE_LIMIT_ENABLED="false"
    ) as base:
        yield base


@pytest.mark.slow
def test_graphql_over_http_audit_passes_without_warnings(server: str) -> None:
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("Node.js and npm are needed for the graphql-http audit")
    if not (AUDIT / "node_modules" / "graphql-http").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=AUDIT,
            check=True,
            capture_output=True,
            timeout=300,
        )
    result = subprocess.run(
        [node, "audit.mjs", f"{server}/graphql"],
        cwd=AUDIT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARN" not in result.stdout
    assert "ERROR" not in result.stdout


@pytest.mark.slow
@pytest.mark.browser
async def test_graphiql_runs_a_query_with_nothing_from_outside(server: str) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (`make test` installs Debian's chromium as root)")
    from playwright.async_api import async_playwright

    origin = urlsplit(server).netloc
    requested: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            await page.goto(f"{server}/graphql", wait_until="networkidle")
            await page.wait_for_selector(".graphiql-execute-button", timeout=30_000)
            await page.click(".graphiql-execute-button")
            result_window = page.locator(".result-window").filter(has_text="settlementDate")
            await result_window.wait_for(timeout=30_000)
            # CodeMirror renders the visible lines, with non-breaking spaces.
            result = (await result_window.inner_text()).replace("\xa0", " ")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "graphiql.png"))
        finally:
            await browser.close()
    assert '"symbol": "IWM"' in result
    assert '"settlementDate": "2026-07-31"' in result
    assert '"shortInterest": 72786177' in result
    outside = [url for url in requested if urlsplit(url).netloc not in (origin, "")]
    assert outside == [], f"GraphiQL loaded from outside the service: {outside}"


@pytest.mark.slow
def test_fuzzed_queries_never_get_a_5xx(server: str) -> None:
    """Valid and invalid queries generated from the schema (hypothesis-graphql): no 5xx."""
    import httpx
    from graphql import StringValueNode
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis_graphql import Mode, queries

    from service.cli.schema import graphql_sdl

    dates = st.dates().map(lambda d: StringValueNode(value=d.isoformat()))
    scalars = {
        "Date": dates,
        "DateTime": st.datetimes().map(lambda d: StringValueNode(value=d.isoformat() + "+00:00")),
        "BigInt": st.integers(-(2**53), 2**53).map(lambda i: StringValueNode(value=str(i))),
    }
    sdl = graphql_sdl()
    documents = st.one_of(
        queries(sdl, custom_scalars=scalars),
        queries(sdl, custom_scalars=scalars, mode=Mode.NEGATIVE),
    )
    statuses: dict[int, int] = {}

    with httpx.Client(base_url=server, timeout=30) as client:

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(document=documents)
        def run(document: str) -> None:
            response = client.post("/graphql", json={"query": document})
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (document, response.text)
            body = response.json()
            for error in body.get("errors", []):
                assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", (document, error)

        run()
    print(f"fuzzed /graphql: status codes {statuses}")
