"""A field's error cancels its siblings (graphql-core gathers them with cancellation); a lookup
that other fields share through a DataLoader must survive that, not turn into a 500.

Found by the fuzzer (tests/graphql/test_live.py): `sharesOutstanding` and `floatShares` of one
security on one date share one DataLoader future. `fundFlows(from > to)` fails beside the first,
graphql-core cancels its siblings, the cancel reached the shared future, and the other field
awaiting it got CancelledError, which escaped as a bare 500."""

from __future__ import annotations

import httpx

QUERY = """
{
  failing: security(symbol: "IWM") {
    sharesOutstanding
    latestShortInterest { change }
    fundFlows(from: "2000-01-01", to: "1999-01-01", period: DAY) { complete }
  }
  other: security(symbol: "IWM") { floatShares latestShortInterest { change } }
}
"""


async def test_a_failing_sibling_does_not_break_a_shared_lookup(
    sample_client: httpx.AsyncClient,
) -> None:
    for _ in range(5):
        response = await sample_client.post("/graphql", json={"query": QUERY})
        assert response.status_code == 200, response.text
        body = response.json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
        assert body["data"]["failing"] is None  # fundFlows is non-null: the error nulls it
        assert body["data"]["other"]["floatShares"] == 281300000
