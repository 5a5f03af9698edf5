"""One frozen settings object, read from the environment (with `.env` as a fallback).

Every knob the service has lives here, with its environment variable name, its default and its
meaning. `load_settings()` turns a bad value into a `SettingsError` that names the variable, so the
process stops at start with a message a person can act on instead of failing on first use.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.errors import SettingsError

BaseUrl = Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[^\s/]+(/\S*)?$")]
"""Where a sync source downloads from (a publisher's host, a mirror, a replay server): http(s),
a host, an optional path; the same bounds for every source."""

_INDEX_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
_SYMBOL = re.compile(r"^\S{1,24}$")

_POSTGRES_SCHEMES = ("postgres", "postgresql")
_REDIS_SCHEMES = ("redis", "rediss", "unix", "redis+cluster")
_PROVIDER_SYMBOL = re.compile(r"^\^?[A-Za-z0-9][A-Za-z0-9.-]{0,23}$")

_FUND_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,11}$")


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# Defaults that code outside this module also needs (a Database or GraphQL engine built
# without settings, a layer answering before the lifespan built them): named once, here.
DEFAULT_POOL_MIN_SIZE = 2
DEFAULT_POOL_MAX_SIZE = 10
DEFAULT_POOL_WAIT_S = 5.0
DEFAULT_RETRY_AFTER_S = 5
DEFAULT_QUERY_COST_BUDGET = 50_000
DEFAULT_QUERY_MAX_DEPTH = 12
DEFAULT_DOCUMENTS_REMEMBERED = 1024
PERSISTED_QUERIES_PER_DOCUMENT = 4
"""Persisted-query texts kept in a process per GraphQL document remembered."""
CACHE_KEY_DOCUMENTS_PER_DOCUMENT = 2
"""Normalised cache-key documents kept in a process per GraphQL document remembered."""


class IsharesFund(BaseModel):
    """Where an iShares fund's files are (`/us/products/{product_id}/{slug}/...`,
    `{fund_file}_fund`) and the index it tracks (its holdings are that index's members)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: int = Field(ge=1, le=10**9)
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,127}$")
    fund_file: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,127}$")
    index: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")


class Settings(BaseSettings):
    """Runtime configuration. Field docs are the reference for `docs/configuration.md`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        populate_by_name=True,
        # populate_by_name also makes the environment source read each field by its *name*:
        # `home` would pick up $HOME. The prefix turns those lookups into SHORTFLOW_<name>,
        # harmless; the documented variables are the aliases below.
        env_prefix="SHORTFLOW_",
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=_env("DATABASE_URL"),
        description="Postgres DSN (primary). Unset: an embedded Postgres under SHORTFLOW_HOME.",
    )
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("DATABASE_REPLICA_URLS"),
        description="Comma-separated DSNs of read replicas; read-only queries go there.",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=_env("REDIS_URL"),
        description="Redis URL (redis://, rediss://, unix://, or redis+cluster:// for a Redis "
        "Cluster). Unset: an embedded Redis under SHORTFLOW_HOME.",
    )
    redis_prefix: str = Field(
        default="sf:",
        validation_alias=_env("SHORTFLOW_REDIS_PREFIX"),
        description="Prefix of every Redis key and channel, so deployments can share a server.",
    )
    redis_timeout_s: float = Field(
        default=0.25,
        gt=0,
        le=30,
        validation_alias=_env("SHORTFLOW_REDIS_TIMEOUT_S"),
        description="Connect and reply timeout of the API's Redis calls, in seconds. Short on "
        "purpose: a slower Redis is treated as away (cache BYPASS, rate limits fail open).",
    )
    home: Path = Field(
        default=Path(".shortflow"),
        validation_alias=_env("SHORTFLOW_HOME"),
        description="Directory for embedded Postgres/Redis data and downloads.",
    )
    require_api_key: bool = Field(
        default=False,
        validation_alias=_env("SHORTFLOW_REQUIRE_API_KEY"),
        description="true: every /v1 and /graphql request needs a valid API key (else 401).",
    )
    anonymous_rate_limit: int = Field(
        default=120,
        ge=1,
        validation_alias=_env("SHORTFLOW_ANONYMOUS_RATE_LIMIT"),
        description="Requests per minute per client IP for callers without a key.",
    )
    default_key_rate_limit: int = Field(
        default=600,
        ge=1,
        validation_alias=_env("SHORTFLOW_DEFAULT_KEY_RATE_LIMIT"),
        description="Requests per minute for a key created without --rate-limit.",
    )
    rate_limit_enabled: bool = Field(
        default=True,
        validation_alias=_env("SHORTFLOW_RATE_LIMIT_ENABLED"),
        description="false: no rate limiting at all (benchmarks, trusted networks).",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("SHORTFLOW_TRUSTED_PROXIES"),
        description="Comma-separated addresses or CIDRs of the proxies in front of the service "
        "(a load balancer, an ingress): only their X-Forwarded-For is believed. Empty: the "
        "client is the peer of the TCP connection.",
    )
    max_concurrent_per_caller: int = Field(
        default=100,
        ge=1,
        le=10_000,
        validation_alias=_env("SHORTFLOW_MAX_CONCURRENT_PER_CALLER"),
        description="Requests one caller (API key or client address) may have in flight in one "
        "process; more are refused with 429 until one finishes.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("SHORTFLOW_CORS_ORIGINS"),
        description="Comma-separated origins allowed to call the API from a browser.",
    )
    public_url: str | None = Field(
        default=None,
        validation_alias=_env("SHORTFLOW_PUBLIC_URL"),
        description="Public base URL of the API (e.g. https://api.example.com), used for absolute "
        'links such as `Link: rel="next"`. Unset: links are relative (path and query); never '
        "built from the request's Host.",
    )
    max_header_bytes: int = Field(
        default=32_768,
        ge=1024,
        le=1_048_576,
        validation_alias=_env("SHORTFLOW_MAX_HEADER_BYTES"),
        description="Largest request head (request line and headers) `shortflow serve` reads; "
        "larger is 431 (414 when the URL alone is).",
    )
    max_headers: int = Field(
        default=100,
        ge=10,
        le=10_000,
        validation_alias=_env("SHORTFLOW_MAX_HEADERS"),
        description="Most header fields in one request; more is 431.",
    )
    header_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=600,
        validation_alias=_env("SHORTFLOW_HEADER_TIMEOUT_S"),
        description="Time a client has from connecting (or from the first byte of its next "
        "request) to the end of the request head; then 408 and the connection is closed.",
    )
    keepalive_timeout_s: int = Field(
        default=5,
        ge=1,
        le=3600,
        validation_alias=_env("SHORTFLOW_KEEPALIVE_TIMEOUT_S"),
        description="Idle seconds before a keep-alive connection is closed. Behind a load "
        "balancer, set it above the balancer's idle timeout.",
    )
    max_connections: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        validation_alias=_env("SHORTFLOW_MAX_CONNECTIONS"),
        description="Open connections plus requests in flight one worker accepts; past it new "
        "requests get 503.",
    )
    graphiql: bool = Field(
        default=True,
        validation_alias=_env("SHORTFLOW_GRAPHIQL"),
        description="Serve GraphiQL at GET /graphql for browsers.",
    )
    introspection: bool = Field(
        default=True,
        validation_alias=_env("SHORTFLOW_INTROSPECTION"),
        description="Allow GraphQL introspection queries.",
    )
    pool_min_size: int = Field(
        default=DEFAULT_POOL_MIN_SIZE,
        ge=0,
        le=1000,
        validation_alias=_env("SHORTFLOW_POOL_MIN"),
        description="Connections each process keeps open to Postgres (0 to 1000).",
    )
    pool_max_size: int = Field(
        default=DEFAULT_POOL_MAX_SIZE,
        ge=1,
        le=1000,
        validation_alias=_env("SHORTFLOW_POOL_MAX"),
        description="Most connections each process opens to Postgres (1 to 1000), per replica too.",
    )
    statement_timeout_ms: int = Field(
        default=5000,
        ge=100,
        validation_alias=_env("SHORTFLOW_STATEMENT_TIMEOUT_MS"),
        description="Postgres statement_timeout for every API query.",
    )
    connect_timeout_s: float = Field(
        default=2.0,
        gt=0,
        validation_alias=_env("SHORTFLOW_CONNECT_TIMEOUT_S"),
        description="How long a request may wait to connect to Postgres before answering 503.",
    )
    pool_wait_s: float = Field(
        default=DEFAULT_POOL_WAIT_S,
        gt=0,
        validation_alias=_env("SHORTFLOW_POOL_WAIT_S"),
        description="How long a query may queue for a free pooled connection (all in use) "
        "before answering 503 DATABASE_BUSY. Queueing is not an outage: it never opens the "
        "circuit breaker.",
    )
    request_timeout_s: float = Field(
        default=10.0,
        gt=0,
        validation_alias=_env("SHORTFLOW_REQUEST_TIMEOUT_S"),
        description="Deadline for a request to start its answer; past it the work is abandoned "
        "(its connection released) and the caller gets 503 REQUEST_TIMEOUT with Retry-After.",
    )
    retry_after_s: int = Field(
        default=DEFAULT_RETRY_AFTER_S,
        ge=1,
        le=3600,
        validation_alias=_env("SHORTFLOW_RETRY_AFTER_S"),
        description="Retry-After (seconds) sent with 503 while Postgres is unavailable.",
    )
    max_body_bytes: int = Field(
        default=100_000,
        ge=1_000,
        validation_alias=_env("SHORTFLOW_MAX_BODY_BYTES"),
        description="Largest accepted request body; larger is 413.",
    )
    query_cost_budget: int = Field(
        default=DEFAULT_QUERY_COST_BUDGET,
        ge=100,
        le=10_000_000,
        validation_alias=_env("SHORTFLOW_QUERY_COST_BUDGET"),
        description="Largest GraphQL query cost (estimated before execution) accepted.",
    )
    documents_remembered: int = Field(
        default=DEFAULT_DOCUMENTS_REMEMBERED,
        ge=16,
        le=1_000_000,
        validation_alias=_env("SHORTFLOW_DOCUMENTS_REMEMBERED"),
        description="GraphQL documents each process keeps parsed and validated (two LRUs of this "
        "many entries); the persisted-query texts it keeps are 4x and the normalised cache-key "
        "documents 2x this.",
    )
    query_max_depth: int = Field(
        default=DEFAULT_QUERY_MAX_DEPTH,
        ge=2,
        le=100,
        validation_alias=_env("SHORTFLOW_QUERY_MAX_DEPTH"),
        description="Deepest GraphQL selection accepted (fields nested in fields).",
    )
    cache_enabled: bool = Field(
        default=True,
        validation_alias=_env("SHORTFLOW_CACHE_ENABLED"),
        description="Response cache (in-process tier + Redis).",
    )
    cache_ttl_s: int = Field(
        default=3600,
        ge=1,
        validation_alias=_env("SHORTFLOW_CACHE_TTL_S"),
        description="Backstop TTL of cached responses; ingest invalidates them first.",
    )
    finra_base_url: BaseUrl = Field(
        default="https://cdn.finra.org",
        validation_alias=_env("SHORTFLOW_FINRA_BASE_URL"),
        description="Where `shortflow fetch` and `shortflow sync` download FINRA files (a "
        "mirror, or a test server).",
    )
    cftc_base_url: BaseUrl = Field(
        default="https://www.cftc.gov",
        validation_alias=_env("SHORTFLOW_CFTC_BASE_URL"),
        description="Where `shortflow sync` downloads CFTC's Traders in Financial Futures "
        "files (/files/dea/history/..., /dea/newcot/...): a mirror, or a test server.",
    )
    index_level_symbols: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=lambda: {"R2000": "^RUT", "SP500": "^SPX", "NDX": "^NDX"},
        max_length=32,
        validation_alias=_env("SHORTFLOW_INDEX_LEVEL_SYMBOLS"),
        description="JSON object: index code -> the price_daily symbol holding the index's "
        'level ({"R2000": "^RUT"}), which turns futures contracts into dollars. An index '
        "without one has no dollar futures figures (null), never a guessed level.",
    )
    nasdaqtrader_base_url: BaseUrl = Field(
        default="https://www.nasdaqtrader.com",
        validation_alias=_env("SHORTFLOW_NASDAQTRADER_BASE_URL"),
        description="Where `shortflow sync` downloads Nasdaq Trader's symbol directory "
        "(`/dynamic/SymDir/nasdaqlisted.txt`, `otherlisted.txt`; a mirror, or a test server).",
    )
    sec_www_base_url: BaseUrl = Field(
        default="https://www.sec.gov",
        validation_alias=_env("SHORTFLOW_SEC_WWW_BASE_URL"),
        description="Where `shortflow sync` downloads SEC's `/files/company_tickers.json` and the "
        "fails-to-deliver archives `/files/data/fails-deliver-data/cnsfailsYYYYMM{a,b}.zip` (a "
        "mirror, or a test server).",
    )
    sec_data_base_url: BaseUrl = Field(
        default="https://data.sec.gov",
        validation_alias=_env("SHORTFLOW_SEC_DATA_BASE_URL"),
        description="Where `shortflow sync` downloads SEC's XBRL API "
        "(`/api/xbrl/companyfacts/CIK##########.json`).",
    )
    sec_user_agent: str | None = Field(
        default=None,
        min_length=5,
        max_length=200,
        pattern=r"^[\x20-\x7e]+$",
        validation_alias=_env("SHORTFLOW_SEC_USER_AGENT"),
        description="Who is asking, with a contact, as SEC's fair access policy requires (e.g. "
        "`Jane Doe jane@example.org`); sent in every request to SEC hosts. Required by the SEC "
        "sources: unset, they fail and the other sources go on.",
    )
    sync_max_download_mb: int = Field(
        default=512,
        ge=1,
        le=65536,
        validation_alias=_env("SHORTFLOW_SYNC_MAX_DOWNLOAD_MB"),
        description="Largest file `shortflow sync` downloads or unpacks, in MB (decompressed "
        "size for gzip bodies and zip members); a larger one fails its source.",
    )
    sync_requests_per_second: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        validation_alias=_env("SHORTFLOW_SYNC_REQUESTS_PER_SECOND"),
        description="Requests per second `shortflow sync` sends to one host. Unset: each "
        "source's own pace (FINRA 4/s); raise it for a local mirror.",
    )
    sync_retry_backoff_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        validation_alias=_env("SHORTFLOW_SYNC_RETRY_BACKOFF_S"),
        description="First wait of `shortflow sync` before retrying a 5xx, 429 or dropped "
        "connection; doubled at each of the 4 attempts.",
    )
    price_provider: Literal["stooq"] = Field(
        default="stooq",
        validation_alias=_env("SHORTFLOW_PRICE_PROVIDER"),
        description="Where `shortflow sync` fetches daily closes (service/sources/prices/sync.py"
        " `PROVIDERS`): stooq (keyless). A keyed provider adds its name here.",
    )
    stooq_base_url: BaseUrl = Field(
        default="https://stooq.com",
        validation_alias=_env("SHORTFLOW_STOOQ_BASE_URL"),
        description="Where `shortflow sync` downloads Stooq's daily price files (`/q/d/l/`; a "
        "mirror, or a test server).",
    )
    price_extra_symbols: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        max_length=200,
        validation_alias=_env("SHORTFLOW_PRICE_EXTRA_SYMBOLS"),
        description="Comma-separated symbols in the provider's spelling fetched besides the "
        "securities with short interest, e.g. index levels `^spx,^rut` (stored under the "
        "symbol upper-cased: `^SPX`).",
    )
    ishares_base_url: BaseUrl = Field(
        default="https://www.ishares.com",
        validation_alias=_env("SHORTFLOW_ISHARES_BASE_URL"),
        description="Where `shortflow sync` downloads iShares holdings and fund histories (a "
        "mirror, or a test server).",
    )
    ishares_funds: dict[str, IsharesFund] = Field(
        default_factory=dict,
        max_length=500,
        validation_alias=_env("SHORTFLOW_ISHARES_FUNDS"),
        description='iShares funds to add or override, JSON: {"IWB": {"product_id": 239707, '
        '"slug": "ishares-russell-1000-etf", "fund_file": "iShares-Russell-1000-ETF", '
        '"index": "R1000"}}; IWM, IWV, IJR and IVV are known without it.',
    )
    ishares_sync_funds: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["IWM", "IWV", "IJR", "IVV"],
        max_length=500,
        validation_alias=_env("SHORTFLOW_ISHARES_SYNC_FUNDS"),
        description="Comma-separated symbols of the iShares funds `shortflow sync` fetches "
        "(each known, or defined in SHORTFLOW_ISHARES_FUNDS).",
    )
    spdr_base_url: BaseUrl = Field(
        default="https://www.ssga.com",
        validation_alias=_env("SHORTFLOW_SPDR_BASE_URL"),
        description="Where `shortflow sync` downloads State Street's SPDR NAV histories (a "
        "mirror, or a test server).",
    )
    spdr_sync_funds: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["SPY"],
        max_length=500,
        validation_alias=_env("SHORTFLOW_SPDR_SYNC_FUNDS"),
        description="Comma-separated symbols of the SPDR funds `shortflow sync` fetches.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias=_env("SHORTFLOW_LOG_LEVEL")
    )
    access_log: Literal["all", "errors", "off"] = Field(
        default="all",
        validation_alias=_env("SHORTFLOW_ACCESS_LOG"),
        description="Access lines (at INFO): all requests, errors (4xx, 5xx and answers slower "
        "than 1 s) or off. Lines are written in batches off the request path (docs/access.md).",
    )
    log_format: Literal["json", "console"] = Field(
        default="json",
        validation_alias=_env("SHORTFLOW_LOG_FORMAT"),
        description="json: one JSON object per line (production); console: readable.",
    )

    @field_validator("price_extra_symbols", mode="before")
    @classmethod
    def _check_extra_symbols(cls, value: object) -> object:
        value = _split_csv(value)
        for symbol in value if isinstance(value, list) else ():
            if not isinstance(symbol, str) or not _PROVIDER_SYMBOL.match(symbol):
                raise ValueError(f"{symbol!r} is not a provider symbol (letters, digits, ^ . -)")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or CIDR") from None
        return value

    @field_validator("index_level_symbols", mode="before")
    @classmethod
    def _index_level_symbols_json(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError(
                'must be a JSON object of index code -> symbol, e.g. {"R2000": "^RUT"}'
            ) from None

    @field_validator("index_level_symbols")
    @classmethod
    def _check_index_level_symbols(cls, value: dict[str, str]) -> dict[str, str]:
        for code, symbol in value.items():
            if not _INDEX_CODE.match(code):
                raise ValueError(f"{code!r} is not an index code (letters, digits, ._-)")
            if not _SYMBOL.match(symbol):
                raise ValueError(f"{symbol!r} (for {code}) is not a symbol")
        return value

    @field_validator(
        "database_replica_urls",
        "cors_origins",
        "trusted_proxies",
        "ishares_sync_funds",
        "spdr_sync_funds",
        mode="before",
    )
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("ishares_funds", "ishares_sync_funds", "spdr_sync_funds")
    @classmethod
    def _check_fund_symbols(cls, value: dict[str, IsharesFund] | list[str]) -> object:
        # The symbols become download paths and security symbols: no room for anything odd.
        for symbol in value:
            if not _FUND_SYMBOL.match(symbol):
                raise ValueError(f"{symbol!r} is not a fund symbol (A-Z, 0-9, '.', '-')")
        return value

    @field_validator("public_url", mode="before")
    @classmethod
    def _check_public_url(cls, value: object) -> object:
        if not isinstance(value, str) or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http:// or https:// URL with a host (got {value!r})")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query or a fragment: it is a base URL")
        return value.strip().rstrip("/")

    @field_validator("database_url", "redis_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is not None:
            _require_scheme(value, _POSTGRES_SCHEMES, "a Postgres URL")
        return value

    @field_validator("database_replica_urls")
    @classmethod
    def _check_replicas(cls, value: list[str]) -> list[str]:
        for url in value:
            _require_scheme(url, _POSTGRES_SCHEMES, "a Postgres URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is not None:
            _require_scheme(value, _REDIS_SCHEMES, "a Redis URL")
        return value

    @model_validator(mode="after")
    def _check_pool(self) -> Settings:
        if self.pool_min_size > self.pool_max_size:
            raise ValueError("SHORTFLOW_POOL_MIN must not exceed SHORTFLOW_POOL_MAX")
        return self

    @property
    def persisted_queries_remembered(self) -> int:
        """Persisted-query texts each process keeps (an LRU): 4x the documents remembered."""
        return PERSISTED_QUERIES_PER_DOCUMENT * self.documents_remembered

    @property
    def cache_key_documents_remembered(self) -> int:
        """Normalised GraphQL cache-key documents each process keeps (an LRU): 2x."""
        return CACHE_KEY_DOCUMENTS_PER_DOCUMENT * self.documents_remembered

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None


def _require_scheme(url: str, schemes: tuple[str, ...], what: str) -> None:
    scheme = urlsplit(url).scheme
    if scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ValueError(
            f"must be {what} starting with one of {allowed} (got {scheme or 'none'!r})"
        )


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise SettingsError naming each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic accepts field kwargs
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "settings"
            variable = _VARIABLE_NAMES.get(field, field)
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{variable}: {message}")
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from None


def _variable_name(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field


_VARIABLE_NAMES = {name: _variable_name(name) for name in Settings.model_fields}
