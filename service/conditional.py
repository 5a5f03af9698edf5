"""Conditional GET: entity tags, `If-None-Match`, and the `Cache-Control` of data responses.

Conditional GET is answered in one place: the relay of the response cache
(service/cache/middleware.py), which stands in front of every REST GET/HEAD and GraphQL GET
whether the cache is on, off or bypassed. A body sent whole gets `etag_of(body)` there unless
the route set its own ETag, and a 304 when `If-None-Match` names it; a cached hit is revalidated
the same way. The one exception is a streamed body whose validator is known before the body is
computed (REST CSV): the route asks `is_not_modified` itself, so a revalidation reads no data,
and answers `not_modified`, the same 304 the relay sends. The rules, for every route:

- A body the service has in full gets `etag_of(body)`: a strong validator, the BLAKE2b digest of
  the exact bytes. Two responses share it only when they are byte-identical.
- A body that is streamed (REST CSV) is not in memory when the headers leave, so its validator is
  computed from what the body is a function of: the dataset versions (table `dataset_version`,
  bumped in the transaction of every ingest that changes a dataset), the normalised request
  (path, query parameters sorted, representation), the date the defaults refer to (`as_of`
  omitted means today) and the service version (a release may change a representation). The
  same inputs always produce the same bytes, so the validator is strong too; any ingest changes
  it. See `versioned_etag`.

`is_not_modified` implements the `If-None-Match` evaluation of RFC 9110 section 13.1.2: a list of
entity tags or `*`, compared with the weak comparison function (`W/"x"` matches `"x"`).

Cache-Control: the data changes only when an ingest runs (FINRA short interest twice a month,
prices, short volume and flows once a day), so a response may be reused for a minute and served
stale for five more while it is revalidated in the background; revalidation is cheap (a 304).
`public` lets shared caches (a CDN, a corporate proxy) keep it; when the deployment requires an
API key it is `private`, since a shared cache would otherwise hand keyed data to callers without
one (RFC 9111 section 3.5 allows shared caches to store authorised responses marked `public`),
and `Vary` names the key headers too (`vary`).

Nothing in a data response is built from a request header that its cache key (service/cache/keys.py)
leaves out: no Host, no X-Forwarded-*, no Origin (CORS headers are added outside the cache, per
request). Absolute links use the configured SHORTFLOW_PUBLIC_URL, else they are relative.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from starlette.responses import Response

MAX_AGE_S = 60
STALE_WHILE_REVALIDATE_S = 300

# An entity-tag of RFC 9110 section 8.8.3: optional weakness indicator, then a quoted string of
# etagc characters (anything visible but DQUOTE; commas included, so no naive split on ",").
_ENTITY_TAG = re.compile(r'(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")')


def etag_of(body: bytes) -> str:
    """A strong, quoted validator of exactly these bytes."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def versioned_etag(versions: Mapping[str, int], request_key: str) -> str:
    """A strong validator for a body computed from the datasets at `versions` and the request
    described by `request_key` (see `request_key`); it changes whenever any dataset changes."""
    lines = [f"{name}={version}" for name, version in sorted(versions.items())]
    lines.append(request_key)
    return etag_of("\n".join(lines).encode())


def request_key(
    path: str, query: Iterable[tuple[str, str]], *, representation: str, context: Iterable[str]
) -> str:
    """The normalised request a body is a function of: the path, the query parameters in sorted
    order (`?a=1&b=2` and `?b=2&a=1` ask the same), the media type and any implicit inputs such
    as today's date and the service version."""
    parameters = "&".join(f"{name}={value}" for name, value in sorted(query))
    return "\n".join([path, parameters, representation, *context])


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def is_not_modified(if_none_match: str | None, etag: str) -> bool:
    """True when `If-None-Match` names `etag` (weak comparison) or is `*`: answer 304."""
    if not if_none_match:
        return False
    value = if_none_match.strip()
    if value == "*":
        return True
    wanted = _opaque(etag)
    return any(match.group(1) == wanted for match in _ENTITY_TAG.finditer(value))


def cache_control(*, shared: bool) -> str:
    """Cache-Control of a data response; `shared=False` when callers need an API key."""
    scope = "public" if shared else "private"
    return f"{scope}, max-age={MAX_AGE_S}, stale-while-revalidate={STALE_WHILE_REVALIDATE_S}"


def vary(*, keyed: bool) -> str:
    """Vary of a data response. The representation follows Accept. When the deployment requires
    an API key the answer also follows the key headers (200 with a key, 401 without), so a cache
    that keeps it must not hand it to a request with other (or no) credentials."""
    return "Accept, Authorization, X-API-Key" if keyed else "Accept"


KEPT_ON_304 = frozenset({b"etag", b"cache-control", b"vary", b"content-location", b"expires"})
"""What a 304 repeats of the 200 it stands for (RFC 9110 section 15.4.5): the validator and the
caching headers, not the representation's (type, length, links)."""


def not_modified_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers of a 304 standing for a 200 with `headers` (raw ASGI pairs)."""
    return [(name, value) for name, value in headers if name in KEPT_ON_304]


def not_modified(etag: str, headers: Mapping[str, str]) -> Response:
    """A 304 for a body the route has not computed (its validator is known before it), with
    what a 200 of `headers` would repeat."""
    response = Response(status_code=304, headers={**headers, "ETag": etag})
    response.raw_headers = not_modified_headers(response.raw_headers)
    return response
