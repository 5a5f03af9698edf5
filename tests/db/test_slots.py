"""The slot queue in front of the pool (service/db/slots.py): a wait past `wait_s` is
DatabaseBusy, any other cancellation stays a cancellation, and no slot is lost either way."""

from __future__ import annotations

import asyncio

import pytest

from service.db.slots import ConnectionSlots
from service.errors import DatabaseBusy


async def test_a_wait_past_its_bound_is_busy_and_loses_no_slot() -> None:
    waits: list[float] = []
    slots = ConnectionSlots(1, 0.05, waits.append)
    await slots.take()
    with pytest.raises(DatabaseBusy):
        await slots.take()
    assert slots.timeouts == 1
    assert slots.waiting == 0
    assert waits[-1] >= 0.05
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    slots.give()
    await asyncio.wait_for(slots.take(), 1)  # the one slot is free again
    slots.give()


async def test_another_cancellation_while_waiting_stays_one() -> None:
    slots = ConnectionSlots(1, 10.0)
    await slots.take()
    waiter = asyncio.create_task(slots.take())
    await asyncio.sleep(0.01)
    assert slots.waiting == 1
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert slots.timeouts == 0
    assert slots.waiting == 0
    slots.give()
    await asyncio.wait_for(slots.take(), 1)
    assert slots.full


async def test_a_slot_freed_in_time_is_taken_in_arrival_order() -> None:
    slots = ConnectionSlots(1, 1.0)
    await slots.take()
    order: list[int] = []

    async def wait(index: int) -> None:
        await slots.take()
        order.append(index)
        slots.give()

    waiters = [asyncio.create_task(wait(i)) for i in range(3)]
    await asyncio.sleep(0.01)
    slots.give()
    await asyncio.gather(*waiters)
    assert order == [0, 1, 2]
    assert slots.timeouts == 0
