"""Per-request context of GraphQL resolvers: the shared analytics services and DataLoaders.

DataLoaders batch the per-object lookups of one request (the latest short interest of 50 listed
securities is one query, not 50) and live only as long as the request, so nothing leaks between
callers.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypeVar, cast

from strawberry.dataloader import DataLoader

from service.analytics import ReadServices
from service.models import Security, ShortInterestPoint

DatedKey = tuple[int, date]
K = TypeVar("K")
V = TypeVar("V")


class SharedLoader(DataLoader[K, V]):
    """A DataLoader whose shared futures are cancelled only when all their awaiters are.

    Fields that ask for the same key share one future. graphql-core cancels a failing field's
    siblings, and a cancelled awaiter cancels the future it awaits: the other fields sharing it
    (elsewhere in the query, not cancelled) then got CancelledError, which is no GraphQL error
    and escaped as a 500 (tests/graphql/test_cancellation.py). Each awaiter gets its own
    shield; the shared future is cancelled when the last one is gone, so a request cancelled at
    its deadline still stops its batch's query (tests/security/test_hung_postgres.py)."""

    def __init__(self, load_fn: Callable[[list[K]], Awaitable[Sequence[V]]]) -> None:
        super().__init__(load_fn=load_fn)
        self._awaiters: dict[asyncio.Future[V], int] = {}

    def load(self, key: K) -> Awaitable[V]:
        shared = cast("asyncio.Future[V]", super().load(key))
        if shared.done():
            return shared
        awaiters = self._awaiters
        awaiters[shared] = awaiters.get(shared, 0) + 1
        mine = asyncio.shield(shared)

        def gone(_: asyncio.Future[V]) -> None:
            left = awaiters[shared] - 1
            if left:
                awaiters[shared] = left
                return
            del awaiters[shared]
            shared.cancel()  # no-op once it is done; else nobody waits for it any more

        mine.add_done_callback(gone)
        return mine


@dataclass
class Context:
    reads: ReadServices
    today: date
    fetched_along: dict[Hashable, Any] = field(default_factory=dict)
    """A child field's result its parent fetched with its own query (service/graphql/
    lookahead.py), by (child field, parent id, the child's arguments)."""
    json_lists: bool = False
    """Set by the executor that writes lists Postgres built as JSON (service/graphql/
    execution.py's FastExecutor); resolvers return such lists only then."""
    primes: dict[str, dict[Any, Any]] = field(default_factory=dict)
    """Values fetched for a loader not made yet (`prime`), by loader name, then key."""

    # The loaders are made on first use: most requests need one or none of them.

    def prime(self, loader: str, key: Any, value: Any) -> None:
        """Prime the loader named `loader` with `value` for `key` (as DataLoader.prime: a key it
        holds already keeps its value), without making it: a loader not made yet gets its
        primed values when it is (most requests never use the loader a resolver primes)."""
        made = self.__dict__.get(loader)
        if made is not None:
            made.prime(key, value)
        else:
            self.primes.setdefault(loader, {}).setdefault(key, value)

    def _primed(self, name: str, loader: SharedLoader[K, V]) -> SharedLoader[K, V]:
        waiting = self.primes.pop(name, None)
        if waiting:
            loader.prime_many(waiting)
        return loader

    @cached_property
    def security_by_symbol(self) -> SharedLoader[str, Security | None]:
        """Aliased lookups (`a: security(symbol: "X") b: security(symbol: "Y") ...`) are one
        query."""
        return self._primed("security_by_symbol", SharedLoader(load_fn=self._load_securities))

    @cached_property
    def latest_short_interest(self) -> SharedLoader[DatedKey, ShortInterestPoint | None]:
        return self._primed("latest_short_interest", SharedLoader(load_fn=self._load_latest))

    @cached_property
    def share_counts(self) -> SharedLoader[DatedKey, tuple[int | None, int | None]]:
        return self._primed("share_counts", SharedLoader(load_fn=self._load_share_counts))

    def release(self) -> None:
        """Drop the request's loaders and what was fetched along, once its answer is built.

        A loader's load function is a bound method of this context: a reference cycle that
        would keep the request's rows alive until the cycle collector runs (docs/benchmarks.md,
        "Garbage")."""
        for name in _LOADERS:
            self.__dict__.pop(name, None)
        self.fetched_along.clear()
        self.primes.clear()

    async def _load_latest(self, keys: Sequence[DatedKey]) -> list[ShortInterestPoint | None]:
        found: dict[DatedKey, ShortInterestPoint] = {}
        for day, ids in _by_date(keys).items():
            latest = await self.reads.short_interest.latest(ids, day)
            found.update({(security_id, day): point for security_id, point in latest.items()})
        return [found.get(key) for key in keys]

    async def _load_securities(self, symbols: Sequence[str]) -> list[Security | None]:
        found = await self.reads.securities.by_symbols(symbols)
        return [found.get(symbol) for symbol in symbols]

    async def _load_share_counts(
        self, keys: Sequence[DatedKey]
    ) -> list[tuple[int | None, int | None]]:
        found: dict[DatedKey, tuple[int | None, int | None]] = {}
        for day, ids in _by_date(keys).items():
            counts = await self.reads.securities.share_counts(ids, day)
            found.update({(security_id, day): value for security_id, value in counts.items()})
        return [found.get(key, (None, None)) for key in keys]


_LOADERS = tuple(
    name for name, value in vars(Context).items() if isinstance(value, cached_property)
)


def _by_date(keys: Sequence[DatedKey]) -> dict[date, list[int]]:
    grouped: dict[date, list[int]] = defaultdict(list)
    for security_id, day in keys:
        grouped[day].append(security_id)
    return grouped
