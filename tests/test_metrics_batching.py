"""Batched request metrics (service/metrics.py `Metrics.flush`) expose exactly what one
`observe` per request exposes: the same counters, histogram buckets, sums and label sets."""

from __future__ import annotations

import asyncio
import math
import random

from prometheus_client import generate_latest

from service.metrics import FLUSH_S, LATENCY_BUCKETS, Metrics

# Every bucket bound exactly (a value equal to a bound belongs to that bucket), between them,
# zero, and past the last bound (+Inf).
SECONDS = [0.0, *LATENCY_BUCKETS, *(b * 0.999 for b in LATENCY_BUCKETS), 7.5, 120.0]
LABELS = [("/graphql", "POST", 200, "HIT"), ("/v1/securities/{symbol}", "GET", 404, "none")]


def _reference(requests: list[tuple[tuple[str, str, int, str], float]]) -> bytes:
    """The same requests recorded the way prometheus_client means it: one observe each."""
    metrics = Metrics()
    for (route, method, status, cache), seconds in requests:
        metrics.requests.labels(route, method, str(status), cache).inc()
        metrics.latency.labels(route, cache).observe(seconds)
    return generate_latest(metrics.registry)


def _request_lines(text: bytes) -> dict[bytes, float]:
    """The request samples by name and labels (`_created` times left out: they say when the
    label set was first used, not what was counted)."""
    samples = {}
    for line in text.splitlines():
        name, _, value = line.rpartition(b" ")
        served = name.startswith((b"shortflow_http_requests_total", b"shortflow_http_request"))
        if served and b"_created" not in name:
            samples[name] = float(value)
    return samples


def test_batched_counts_render_as_per_request_observations() -> None:
    rounds = random.Random(5)
    requests = [(rounds.choice(LABELS), seconds) for seconds in SECONDS * 3]
    metrics = Metrics()
    for labels, seconds in requests[: len(requests) // 2]:
        metrics.observe(*labels, seconds)
    metrics.flush()  # a flush in the middle (the timer) changes nothing either
    for labels, seconds in requests[len(requests) // 2 :]:
        metrics.observe(*labels, seconds)
    ours = _request_lines(metrics.render())  # a scrape flushes what is pending
    reference = _request_lines(_reference(requests))
    assert ours.keys() == reference.keys()
    assert len(ours) > 30
    for name, value in reference.items():
        # Sums are added in another order (per flush, then per sample): equal to rounding.
        assert math.isclose(ours[name], value, rel_tol=1e-12), name


def test_cache_lookups_are_counted_by_the_time_of_a_scrape() -> None:
    metrics = Metrics()
    for _ in range(3):
        metrics.cache_lookup("memory", "hit")
    metrics.cache_lookup("redis", "miss")
    text = metrics.render().decode()
    assert 'shortflow_cache_lookups_total{result="hit",tier="memory"} 3.0' in text
    assert 'shortflow_cache_lookups_total{result="miss",tier="redis"} 1.0' in text


async def test_pending_counts_reach_the_metrics_within_the_flush_interval() -> None:
    # With several workers another process may answer the scrape: the timer must apply them.
    metrics = Metrics()
    metrics.observe("/graphql", "POST", 200, "HIT", 0.001)
    assert b'status="200"' not in generate_latest(metrics.registry)
    await asyncio.sleep(FLUSH_S + 0.2)
    expected = b'{cache="HIT",method="POST",route="/graphql",status="200"} 1.0'
    assert b"shortflow_http_requests_total" + expected in generate_latest(metrics.registry)
