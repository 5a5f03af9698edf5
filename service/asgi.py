"""Small helpers over ASGI and Starlette that every layer uses: a request header, a JSON response.

No imports from the rest of the service, so any module may use them without a cycle.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Scope


class JSONResponse(Response):
    """JSON via orjson (dates as ISO strings, dataclasses as objects)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of request header `name` (lowercase bytes), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
