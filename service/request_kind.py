"""What a request is, decided once per request, from its decoded parameters.

Access control (keys, rate limits), the response cache and the GraphQL endpoint all ask the same
question: is this a call of the API, or the GraphiQL page a browser opens? Answered in three
places with three rules, a percent-encoded `%71uery=` once reached the endpoint as a query while
the access middleware, reading raw bytes, took it for the page and let it through without a key.
Here it is decided once, from the parameters as the endpoint decodes them, and kept in the scope.

- `GRAPHIQL_PAGE`: `GET /graphql` that asks for HTML and carries no GraphQL parameter at all
  (`query`, `extensions`, `variables`, `operationName`). Not metered, not cached.
- `GRAPHQL`: every other request to `/graphql`. Metered; POST and GET queries are cached.
- `REST`: `/v1` and below. Metered; GETs are cached.
- `OTHER`: probes, metrics, documents, static assets.
"""

from __future__ import annotations

import enum
from urllib.parse import parse_qsl

from starlette.types import Scope

from service.asgi import header

GRAPHQL_PATH = "/graphql"
GRAPHQL_PARAMETERS = frozenset({"query", "extensions", "variables", "operationName"})
_SCOPE_KEY = "shortflow.kind"


class Kind(enum.Enum):
    GRAPHIQL_PAGE = "graphiql-page"
    GRAPHQL = "graphql"
    REST = "rest"
    OTHER = "other"


def request_kind(scope: Scope) -> Kind:
    """The kind of the request in `scope` (computed on first use, then read from the scope)."""
    found: Kind | None = scope.get(_SCOPE_KEY)
    if found is None:
        found = scope[_SCOPE_KEY] = _classify(scope)
    return found


def is_metered(scope: Scope) -> bool:
    """Whether keys and rate limits apply: every API call (not a CORS preflight)."""
    return scope["method"] != "OPTIONS" and request_kind(scope) in (Kind.GRAPHQL, Kind.REST)


def _classify(scope: Scope) -> Kind:
    path: str = scope["path"]
    if path == "/v1" or path.startswith("/v1/"):
        return Kind.REST
    if path != GRAPHQL_PATH:
        return Kind.OTHER
    if scope["method"] == "GET" and _accepts_html(scope) and not _has_graphql_parameter(scope):
        return Kind.GRAPHIQL_PAGE
    return Kind.GRAPHQL


def _has_graphql_parameter(scope: Scope) -> bool:
    raw: bytes = scope.get("query_string", b"")
    if not raw:
        return False
    # The same decoding as Starlette's QueryParams (what the endpoint reads), blanks included:
    # `?query=` is an (invalid) API call, not the page.
    names = {name for name, _ in parse_qsl(raw.decode("latin-1"), keep_blank_values=True)}
    return not names.isdisjoint(GRAPHQL_PARAMETERS)


def _accepts_html(scope: Scope) -> bool:
    return "text/html" in (header(scope, b"accept") or "").lower()
