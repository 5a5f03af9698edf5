"""Settings come from the environment and bad values stop the process with a clear message."""

from __future__ import annotations

import pytest

from service.errors import SettingsError
from service.settings import load_settings


def test_unset_urls_mean_embedded_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = load_settings()
    assert settings.embedded_database
    assert settings.embedded_redis


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/shortflow")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("SHORTFLOW_REQUIRE_API_KEY", "true")
    monkeypatch.setenv("SHORTFLOW_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgresql://r1/x,postgresql://r2/x")
    settings = load_settings()
    assert settings.database_url == "postgresql://u@db:5432/shortflow"
    assert settings.require_api_key is True
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.database_replica_urls == ["postgresql://r1/x", "postgresql://r2/x"]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "mysql://root@db/x", "DATABASE_URL: must be a Postgres URL"),
        ("REDIS_URL", "http://cache", "REDIS_URL: must be a Redis URL"),
        ("SHORTFLOW_REQUIRE_API_KEY", "perhaps", "SHORTFLOW_REQUIRE_API_KEY"),
        ("SHORTFLOW_POOL_MAX", "0", "SHORTFLOW_POOL_MAX"),
        ("SHORTFLOW_CFTC_BASE_URL", "ftp://mirror", "SHORTFLOW_CFTC_BASE_URL"),
        ("SHORTFLOW_INDEX_LEVEL_SYMBOLS", "^RUT", "SHORTFLOW_INDEX_LEVEL_SYMBOLS"),
        (
            "SHORTFLOW_INDEX_LEVEL_SYMBOLS",
            '{"R2000": "^ RUT"}',
            "SHORTFLOW_INDEX_LEVEL_SYMBOLS: '^ RUT' (for R2000) is not a symbol",
        ),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert expected in caught.value.message


def test_index_level_symbols_are_a_json_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHORTFLOW_INDEX_LEVEL_SYMBOLS", '{"R2000": "^RUT", "NDX": "NDX.IDX"}')
    assert load_settings().index_level_symbols == {"R2000": "^RUT", "NDX": "NDX.IDX"}


def test_blank_url_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "  ")
    assert load_settings().database_url is None


def test_only_the_documented_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Field names must not be read as variables: `home` once picked up $HOME, putting the
    embedded Postgres in the user's home directory instead of ./.shortflow."""
    monkeypatch.delenv("SHORTFLOW_HOME", raising=False)
    monkeypatch.delenv("SHORTFLOW_LOG_LEVEL", raising=False)
    monkeypatch.setenv("HOME", "/somewhere/else")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    monkeypatch.setenv("GRAPHIQL", "false")
    settings = load_settings()
    assert str(settings.home) == ".shortflow"
    assert settings.log_level == "INFO"
    assert settings.graphiql is True
    monkeypatch.setenv("SHORTFLOW_HOME", "/srv/shortflow")
    assert str(load_settings().home) == "/srv/shortflow"


BASE_URL_VARIABLES = [
    "SHORTFLOW_FINRA_BASE_URL",
    "SHORTFLOW_CFTC_BASE_URL",
    "SHORTFLOW_NASDAQTRADER_BASE_URL",
    "SHORTFLOW_SEC_WWW_BASE_URL",
    "SHORTFLOW_SEC_DATA_BASE_URL",
    "SHORTFLOW_STOOQ_BASE_URL",
    "SHORTFLOW_ISHARES_BASE_URL",
    "SHORTFLOW_SPDR_BASE_URL",
]


@pytest.mark.parametrize("variable", BASE_URL_VARIABLES)
@pytest.mark.parametrize(
    "value", ["file:///etc", "ftp://mirror.example", "https://", "http://a b", "https://x/" * 60]
)
def test_every_source_base_url_has_the_same_bounds(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert variable in caught.value.message


@pytest.mark.parametrize("variable", BASE_URL_VARIABLES)
def test_a_local_mirror_is_a_valid_base_url(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "http://127.0.0.1:8123/mirror")
    load_settings()


LIMITS = [
    # (variable, field, lowest accepted, highest accepted)
    ("SHORTFLOW_POOL_MIN", "pool_min_size", 0, 1000),
    ("SHORTFLOW_POOL_MAX", "pool_max_size", 1, 1000),
    ("SHORTFLOW_RETRY_AFTER_S", "retry_after_s", 1, 3600),
    ("SHORTFLOW_QUERY_COST_BUDGET", "query_cost_budget", 100, 10_000_000),
    ("SHORTFLOW_QUERY_MAX_DEPTH", "query_max_depth", 2, 100),
    ("SHORTFLOW_DOCUMENTS_REMEMBERED", "documents_remembered", 16, 1_000_000),
]


@pytest.mark.parametrize(("variable", "field", "lowest", "highest"), LIMITS)
def test_limits_are_bounded_settings(
    monkeypatch: pytest.MonkeyPatch, variable: str, field: str, lowest: int, highest: int
) -> None:
    # The pool's minimum must not exceed its maximum: give the other end room.
    monkeypatch.setenv("SHORTFLOW_POOL_MAX", "1000")
    monkeypatch.setenv("SHORTFLOW_POOL_MIN", "1")
    for accepted in (lowest, highest):
        monkeypatch.setenv(variable, str(accepted))
        assert getattr(load_settings(), field) == accepted
    for refused in (lowest - 1, highest + 1):
        monkeypatch.setenv(variable, str(refused))
        with pytest.raises(SettingsError) as caught:
            load_settings()
        assert variable in caught.value.message


def test_the_lru_sizes_follow_the_documents_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHORTFLOW_DOCUMENTS_REMEMBERED", "100")
    settings = load_settings()
    assert settings.persisted_queries_remembered == 400
    assert settings.cache_key_documents_remembered == 200
