"""Liveness and readiness probes.

`/healthz` answers as long as the process serves requests (a failing liveness probe restarts the
pod, so it must not depend on Postgres or Redis). `/readyz` checks both dependencies and answers 503
with the reason when one is missing, so a load balancer stops sending traffic until it is back.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from service.asgi import JSONResponse
from service.errors import DatabaseUnavailable
from service.redisclient import REDIS_ERRORS
from service.state import services

PROBE_TIMEOUT_S = 1.0


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def readyz(request: Request) -> Response:
    app = services(request)
    checks: dict[str, str] = {}
    try:
        await app.db.ping(within=PROBE_TIMEOUT_S)
        checks["postgres"] = "ok"
    except DatabaseUnavailable as exc:
        checks["postgres"] = f"unavailable: {app.db.last_error or exc.message}"
    try:
        await asyncio.wait_for(app.redis.ping(), PROBE_TIMEOUT_S)
        checks["redis"] = "ok"
    except REDIS_ERRORS as exc:
        checks["redis"] = f"unavailable: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    headers = {"Cache-Control": "no-store"}
    if not ready:
        headers["Retry-After"] = str(app.settings.retry_after_s)
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        200 if ready else 503,
        headers=headers,
    )
