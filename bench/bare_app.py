"""The ceiling of bench/http.py: a bare Starlette app answering fixed bytes, read from the file in
BARE_BODY_FILE, on the route the benchmark loads (POST and GET /graphql, GET /healthz)."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ["BARE_BODY_FILE"]).read_bytes()


async def answer(request: Request) -> Response:
    return Response(BODY, media_type="application/json")


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(
    routes=[Route("/graphql", answer, methods=["GET", "POST"]), Route("/healthz", healthz)]
)
