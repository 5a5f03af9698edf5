"""The web app's routes: one constant HTML shell for every page, and its static assets.

The shell is the same bytes for every page URL: nothing of the path or query string is written
into it (the script reads `location` and puts text into the DOM as text), so a crafted URL cannot
inject markup, and there are no redirects to abuse. It is cacheable like the static assets: a
strong `ETag` of its bytes, revalidated (`no-cache`) so a new release is picked up at once.
Its Content-Security-Policy allows scripts, styles and requests to this origin only, with no
inline script or style.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from service.conditional import etag_of, is_not_modified

STATIC = "/app/static"

# Everything from this origin; uPlot sizes its canvas with element styles set from script
# (CSSOM, which style-src does not govern), so no 'unsafe-inline' is needed either.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "public, no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PAGES = ("/", "/security/{symbol}", "/fund/{symbol}", "/index/{code}", "/screens", "/calendar")


@cache
def shell() -> tuple[bytes, str]:
    """The shell's bytes (from the package) and their entity tag."""
    body = files("service.webapp").joinpath("index.html").read_bytes()
    return body, etag_of(body)


async def app_page(request: Request) -> Response:
    """Any page of the app: the shell, or 304 when the caller has it."""
    body, etag = shell()
    headers = {**HEADERS, "ETag": etag}
    if is_not_modified(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


def webapp_routes() -> list[BaseRoute]:
    """The page routes (GET only) and the assets' mount, for the app's route list."""
    routes: list[BaseRoute] = [Route(path, app_page, methods=["GET"]) for path in PAGES]
    routes.append(
        Mount(STATIC, StaticFiles(packages=[("service.webapp", "static")]), name="webapp-static")
    )
    return routes
