"""`GET /docs`: Swagger UI from the service's own assets, under a strict CSP."""

from __future__ import annotations

import re

import httpx


async def test_docs_page_loads_only_local_assets(api: httpx.AsyncClient) -> None:
    page = await api.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert 'data-url="/openapi.json"' in page.text
    # No inline script: every <script> element loads a file of this service.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.DOTALL)
    assert scripts
    assert all(
        'src="/docs/static/' in attributes and not body.strip() for attributes, body in scripts
    )
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-init.js"):
        assert f"/docs/static/{asset}" in page.text
        served = await api.get(f"/docs/static/{asset}")
        assert served.status_code == 200, asset
    init = (await api.get("/docs/static/swagger-init.js")).text
    assert "validatorUrl: null" in init  # the online validator would send the document out


async def test_the_vendored_assets_match_their_manifest(api: httpx.AsyncClient) -> None:
    import hashlib
    import json
    from importlib import resources

    static = resources.files("service.rest").joinpath("static")
    manifest = json.loads(static.joinpath("VENDORED.json").read_text())
    for name, entry in manifest["files"].items():
        served = await api.get(f"/docs/static/{name}")
        assert hashlib.sha256(served.content).hexdigest() == entry["sha256"], name
