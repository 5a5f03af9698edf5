"""The web app's routes over HTTP: one constant shell under a strict CSP, cacheable, reflecting
nothing of the URL, and leaving /graphql (GraphiQL) and /docs where they were."""

from __future__ import annotations

import httpx
import pytest

PAGES = [
    "/",
    "/security/IWM",
    "/fund/EWJ?period=month",
    "/index/R2000",
    "/screens?tab=short-volume",
    "/calendar?year=2026",
]


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_is_the_shell_under_a_strict_csp(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "connect-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "default-src 'none'" in csp
    assert '<script src="/app/static/app.js" defer></script>' in response.text
    # No inline script: every <script> names a source in the package.
    assert response.text.count("<script") == response.text.count('<script src="/app/static/')


async def test_the_shell_is_cacheable_and_revalidates_with_a_304(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/security/IWM")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = await client.get("/fund/EWJ", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert again.content == b""


async def test_a_crafted_path_is_not_reflected(client: httpx.AsyncClient) -> None:
    shell = (await client.get("/")).content
    crafted = await client.get('/security/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E?x="><b>')
    not_a_page = await client.get("/security/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert crafted.status_code == 200
    assert crafted.content == shell
    # Not a page (%2F is a second segment): the service's JSON 404, never HTML.
    assert not_a_page.status_code == 404
    assert not_a_page.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/security/IWM/", "/screens/", "/calendar/?year=2026"])
async def test_a_trailing_slash_redirects_to_the_same_page_only(
    client: httpx.AsyncClient, path: str
) -> None:
    """Starlette's slash redirect: to the same host and the path without its slash, nothing else
    (the app itself never redirects)."""
    response = await client.get(path, follow_redirects=False)
    location = httpx.URL(response.headers["location"])
    assert response.status_code == 307
    assert location.host == client.base_url.host
    assert location.path == httpx.URL(path).path.rstrip("/")


async def test_assets_come_from_the_package(client: httpx.AsyncClient) -> None:
    for asset in ("app.js", "app.css", "uPlot.iife.min.js", "uPlot.min.css"):
        response = await client.get(f"/app/static/{asset}")
        assert response.status_code == 200, asset
        assert response.headers["etag"]
    # The shell is not an asset (it is served only with its CSP).
    assert (await client.get("/app/static/index.html")).status_code == 404


async def test_graphiql_and_the_rest_docs_stay_where_they_were(client: httpx.AsyncClient) -> None:
    graphiql = await client.get("/graphql", headers={"Accept": "text/html"})
    docs = await client.get("/docs")
    home = await client.get("/")
    assert "graphiql-init.js" in graphiql.text
    assert "swagger-init.js" in docs.text
    assert 'href="/graphql"' in home.text
    assert 'href="/docs"' in home.text


async def test_other_methods_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/security/IWM")
    assert response.status_code == 405
