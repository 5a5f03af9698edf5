"""`GET /docs`: Swagger UI over /openapi.json, served from the package (no CDN).

The assets are vendored from npm by scripts/vendor_assets.py (versions and hashes in
static/VENDORED.json); `swagger-init.js` starts the UI, so the page needs no inline script and its
Content-Security-Policy allows scripts from this service only.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

STATIC = "/docs/static"

DOCS_HEADERS = {
    # Everything the page loads comes from this service; "Try it out" calls only this service.
    # Swagger UI sets element styles at runtime, hence 'unsafe-inline' for styles (not scripts).
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; script-src 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-cache",
}

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Shortflow REST API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{STATIC}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-url="/openapi.json">Loading the API documentation...</div>
  <script src="{STATIC}/swagger-ui-bundle.js"></script>
  <script src="{STATIC}/swagger-init.js"></script>
</body>
</html>
"""


async def docs_page(request: Request) -> Response:
    return HTMLResponse(PAGE, headers=DOCS_HEADERS)
