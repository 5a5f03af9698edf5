"""Python's cycle collector, tuned for a server process (`shortflow serve`).

A request allocates thousands of short-lived containers. With the default thresholds
(700, 10, 10) the collector ran about 120 times a second under load, and each full collection
walked the ~110,000 objects of the schema, the modules and the caches built at startup: 15 % of a
core and pauses of up to 100 ms, which were the 99th percentile of a small query
(docs/benchmarks.md, "Garbage"). So, once the process has started:

- everything alive then is moved to the permanent generation (`gc.freeze`): it lives as long as
  the process, and no collection walks it again;
- the youngest generation is collected every 10,000 net allocations instead of 700.

A request leaves no reference cycles of its own behind (the executor and the context break theirs
when the answer is built: tests/graphql/test_garbage.py), so garbage is freed by reference counting
and the collector only finds what libraries leave.
"""

from __future__ import annotations

import gc

THRESHOLDS = (10_000, 10, 10)


def tune_for_serving() -> None:
    """Freeze what startup built and raise the youngest generation's threshold."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
