"""A point in time after today is refused, naming the argument; a range may end in the future.

An `asOf` in the future used to be accepted and silently changed answers (the squeeze screen
valued prices "as of 2030"); nothing is known from the future, so it is a user error.
"""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("as_of", ["2030-01-01", TOMORROW])
async def test_graphql_refuses_an_as_of_after_today(client: httpx.AsyncClient, as_of: str) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": "query ($d: Date) { squeezeCandidates(asOf: $d) { score } }",
            "variables": {"d": as_of},
        },
    )
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(f"asOf: {as_of} is after today ({date.today()})")


async def test_graphql_takes_today(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": "query ($d: Date) { squeezeCandidates(asOf: $d) { score } }",
            "variables": {"d": date.today().isoformat()},
        },
    )
    body = response.json()
    assert (body["data"], body.get("errors")) == ({"squeezeCandidates": []}, None)


@pytest.mark.parametrize("as_of", ["2030-01-01", TOMORROW])
async def test_rest_refuses_an_as_of_after_today(client: httpx.AsyncClient, as_of: str) -> None:
    for path in ("/v1/screens/squeeze", "/v1/securities/IWM/short-interest"):
        response = await client.get(path, params={"as_of": as_of})
        assert response.status_code == 400, path
        error = response.json()["error"]
        assert error["code"] == "INVALID_PARAMETER"
        assert error["message"].startswith(
            f"parameter `as_of`: '{as_of}' is after today ({date.today()})"
        )


async def test_rest_takes_today_and_a_range_ending_in_the_future(
    client: httpx.AsyncClient,
) -> None:
    today = await client.get("/v1/screens/squeeze", params={"as_of": date.today().isoformat()})
    assert today.status_code == 200
    assert today.json()["data"] == []
    ranged = await client.get("/v1/securities/IWM/short-interest", params={"to": TOMORROW})
    assert ranged.status_code == 404  # an empty database: the symbol, not the date, is unknown
