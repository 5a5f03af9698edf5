"""Cache keys: the exact request (in-process tier) and the normalised request (Redis tier).

The in-process tier is keyed by the request's exact bytes (method, path, query string, body,
the representation asked for, the caller's tier): computing it is one hash, so a hit parses
nothing. Byte-identical requests are what a frontend repeats.

The Redis tier is shared by every process and pod, so its key is the *normalised* request, what
the answer is a function of:

- GraphQL: the document as its token stream (whitespace, commas and comments do not change a
  query; string literals keep their exact value), the operation name, the variables as sorted
  JSON; or the hash of an automatic persisted query;
- REST: the path and the query parameters in sorted order;

plus the representation (JSON, graphql-response+json, CSV) and the caller's scope (anonymous or
keyed: one class of caller never reads what was computed for another). The dataset versions are
appended by the caller of these functions, so an ingest makes every older key unreachable.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl

import orjson
from graphql import GraphQLError, Source, TokenKind
from graphql.language.lexer import Lexer

from service.lru import LRU
from service.settings import CACHE_KEY_DOCUMENTS_PER_DOCUMENT, DEFAULT_DOCUMENTS_REMEMBERED

_NORMALISED: LRU[str, str] = LRU(CACHE_KEY_DOCUMENTS_PER_DOCUMENT * DEFAULT_DOCUMENTS_REMEMBERED)
"""Sized by `remember_documents` at start-up (Settings.cache_key_documents_remembered)."""
_UNLEXABLE = ""


def digest(*parts: bytes) -> str:
    return hashlib.blake2b(b"\x00".join(parts), digest_size=16).hexdigest()


def exact_key(
    method: str, path: str, query_string: bytes, accept: bytes, scope: str, body: bytes
) -> str:
    """The in-process tier's key: the request as sent."""
    return digest(method.encode(), path.encode(), query_string, accept, scope.encode(), body)


def remember_documents(entries: int) -> None:
    """Size the process's normalised-document cache."""
    _NORMALISED.resize(entries)


def normalised_document(query: str) -> str | None:
    """The document as its tokens, one space apart (None when it does not even lex: such a
    request is answered with an error and never cached)."""
    found = _NORMALISED.get(query)
    if found is not None:
        return found or None
    tokens: list[str] = []
    try:
        lexer = Lexer(Source(query))
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            if token.kind in (TokenKind.STRING, TokenKind.BLOCK_STRING):
                # The value, not the spelling: "a\u0020b" and "a b" are the same argument.
                tokens.append(orjson.dumps(token.value).decode())
            elif token.value is not None:
                tokens.append(token.value)
            else:
                tokens.append(token.kind.value)
            token = lexer.advance()
    except GraphQLError:
        _NORMALISED.put(query, _UNLEXABLE)
        return None
    normalised = " ".join(tokens)
    _NORMALISED.put(query, normalised)
    return normalised


def graphql_key(params: dict[str, object], accept: bytes, scope: str) -> str | None:
    """The Redis tier's key of a GraphQL request (its JSON body or GET parameters), or None when
    the request is malformed (not cached)."""
    query = params.get("query")
    extensions = params.get("extensions")
    variables = params.get("variables")
    name = params.get("operationName")
    # Only the exact forms a valid request can take: `0` or `false` must not key like absent
    # values, or a malformed request would be answered from a valid one's entry.
    if variables is None:
        variables = {}
    if name is None:
        name = ""
    if not isinstance(variables, dict) or not isinstance(name, str):
        return None
    if extensions is not None and not isinstance(extensions, dict):
        return None
    if isinstance(query, str):
        document = normalised_document(query)
        if document is None:
            return None
    elif isinstance(extensions, dict) and isinstance(extensions.get("persistedQuery"), dict):
        sha = extensions["persistedQuery"].get("sha256Hash")
        if not isinstance(sha, str):
            return None
        document = f"persisted:{sha}"
    else:
        return None
    return digest(
        b"graphql",
        document.encode(),
        name.encode(),
        orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
        accept,
        scope.encode(),
    )


def graphql_get_params(query_string: bytes) -> dict[str, object] | None:
    """The GraphQL parameters of a GET request (variables and extensions decoded)."""
    params: dict[str, object] = dict(parse_qsl(query_string.decode("latin-1")))
    for name in ("variables", "extensions"):
        raw = params.get(name)
        if isinstance(raw, str) and raw:
            try:
                params[name] = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return None
    return params


def rest_key(path: str, query_string: bytes, accept: bytes, scope: str) -> str:
    """The Redis tier's key of a REST request: path, sorted parameters, representation, scope."""
    parameters = sorted(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    encoded = "&".join(f"{name}={value}" for name, value in parameters)
    return digest(b"rest", path.encode(), encoded.encode(), accept, scope.encode())
