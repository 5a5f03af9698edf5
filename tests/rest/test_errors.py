"""Errors in the documented shape: 400 that names the parameter, 404, 405 and 406."""

from __future__ import annotations

import httpx
import pytest

SI = "/v1/securities/IWM/short-interest"


async def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    return message


@pytest.mark.parametrize(
    ("url", "params", "words"),
    [
        (
            SI,
            {"from": "2026-02-30"},
            ["`from`", "'2026-02-30'", "valid calendar date", "YYYY-MM-DD"],
        ),
        (SI, {"to": "31/07/2026"}, ["`to`", "is not a date", "YYYY-MM-DD"]),
        (SI, {"as_of": "20260731"}, ["`as_of`", "is not a date"]),
        (SI, {"from": "2026-08-01", "to": "2026-07-01"}, ["`from`", "after `to`"]),
        (SI, {"limit": "0"}, ["`limit`", "out of range", "1 to 1000", "default 100"]),
        (SI, {"limit": "1001"}, ["`limit`", "out of range", "1 to 1000"]),
        (SI, {"limit": "ten"}, ["`limit`", "not a whole number"]),
        (SI, {"limit": "-5"}, ["`limit`", "not a whole number"]),
        (SI, {"limit": "9" * 5000}, ["`limit`", "out of range"]),
        (SI, {"cursor": "bm9wZQ"}, ["`cursor`", "not a cursor of this list", "next_cursor"]),
        (SI, {"cursor": "c2VjOklXTQ"}, ["`cursor`", "not a cursor of this list"]),
        (SI, {"cursor": "c2k6bm90LWEtZGF0ZQ"}, ["`cursor`", "not a cursor of this list"]),
        (SI, {"cursor": "not base64!"}, ["`cursor`", "not allowed"]),
        ("/v1/funds/IWM/flows", {"period": "year"}, ["`period`", "day, week, month"]),
        ("/v1/securities", {"type": "bond"}, ["`type`", "stock, etf"]),
        ("/v1/securities", {"type": ""}, ["`type`", "stock, etf"]),
        ("/v1/securities", {"search": "x" * 101}, ["`search`", "too long", "100 characters"]),
        ("/v1/securities", {"search": "a\x00b"}, ["`search`", "control characters"]),
        ("/v1/securities", {"index": "R 2000"}, ["`index`", "letters, digits"]),
        ("/v1/securities/IWM/short-volume", {"facility": "NYSE"}, ["`facility`", "CNMS"]),
        ("/v1/screens/squeeze", {"as_of": "yesterday"}, ["`as_of`", "is not a date"]),
        ("/v1/securities", {"format": "xml"}, ["`format`", "json, csv"]),
    ],
)
async def test_bad_parameters_are_a_400_naming_the_parameter(
    api: httpx.AsyncClient, url: str, params: dict[str, str], words: list[str]
) -> None:
    message = await _error(await api.get(url, params=params), 400, "INVALID_PARAMETER")
    for word in words:
        assert word in message


async def test_unknown_parameters_are_refused_with_what_is_accepted(
    api: httpx.AsyncClient,
) -> None:
    # A typo must not silently return the whole history.
    response = await api.get(SI, params={"form": "2026-07-20"})
    message = await _error(response, 400, "UNKNOWN_PARAMETER")
    assert "`form`" in message
    assert "as_of, cursor, format, from, limit, to" in message
    prices = await api.get("/v1/securities/IWM/prices", params={"limit": "5"})
    assert "`limit`" in await _error(prices, 400, "UNKNOWN_PARAMETER")


async def test_a_repeated_parameter_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.get(f"{SI}?limit=1&limit=2")
    assert "more than once" in await _error(response, 400, "INVALID_PARAMETER")


async def test_a_symbol_that_cannot_exist_is_a_400(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/securities/" + "X" * 25)
    assert "`symbol`" in await _error(response, 400, "INVALID_PARAMETER")
    control = await api.get("/v1/securities/A%01B/prices")
    assert "`symbol`" in await _error(control, 400, "INVALID_PARAMETER")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/v1/securities/NOPE", ["'NOPE'", "case-sensitive"]),
        ("/v1/securities/iwm/short-interest", ["'iwm'"]),
        ("/v1/securities/NOPE/short-volume", ["'NOPE'"]),
        ("/v1/securities/NOPE/prices", ["'NOPE'"]),
        ("/v1/funds/NOPE/flows", ["'NOPE'"]),
        ("/v1/funds/AA/flows", ["'AA'", "not a fund"]),
        ("/v1/indexes/NOPE/short-exposure", ["'NOPE'", "index"]),
        ("/v1/indexes/NOPE/futures-positioning", ["'NOPE'", "index"]),
        ("/v1/securities?index=NOPE", ["'NOPE'", "index"]),
        ("/v1/screens/squeeze?index=NOPE", ["'NOPE'", "index"]),
        ("/v1/nothing-here", ["/v1/nothing-here"]),
    ],
)
async def test_unknown_symbols_funds_and_indexes_are_a_404(
    api: httpx.AsyncClient, url: str, words: list[str]
) -> None:
    message = await _error(await api.get(url), 404, "NOT_FOUND")
    for word in words:
        assert word in message


async def test_other_methods_are_a_405_with_allow(api: httpx.AsyncClient) -> None:
    response = await api.post(SI, json={})
    await _error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]
    head = await api.head(SI)
    assert head.status_code == 200


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/*", "text/csv; charset=utf-8"),
        ("text/csv;q=0.9, application/json;q=0.5", "text/csv; charset=utf-8"),
        ("application/json;q=0, */*", "text/csv; charset=utf-8"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"),
    ],
)
async def test_accept_picks_json_or_csv(
    api: httpx.AsyncClient, accept: str | None, expected: str
) -> None:
    headers = {"accept": accept} if accept else {}
    response = await api.get("/v1/securities/IWM/prices", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == expected
    assert response.headers["vary"] == "Accept"


async def test_an_accept_without_json_or_csv_is_a_406(api: httpx.AsyncClient) -> None:
    for accept in ("text/html", "application/xml", "application/json;q=0, text/csv;q=0"):
        response = await api.get(SI, headers={"accept": accept})
        assert "neither application/json nor text/csv" in await _error(
            response, 406, "NOT_ACCEPTABLE"
        )
    # An explicit format wins over the header.
    explicit = await api.get(SI, params={"format": "csv"}, headers={"accept": "text/html"})
    assert explicit.status_code == 200
