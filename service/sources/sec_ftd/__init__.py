"""SEC fails-to-deliver: the balance of shares that failed to settle, per security and day.

SEC publishes NSCC's Continuous Net Settlement fails twice a month as
`/files/data/fails-deliver-data/cnsfailsYYYYMM{a,b}.zip` (settlement dates 1-15 and 16 to the
month's end), each holding one pipe-separated text file. `shortflow sync --source sec-ftd`
downloads them (sync.py); `shortflow ingest sec-ftd FILE` reads the unpacked text (format.py).
The squeeze screen's `fails_to_deliver` factor reads them (docs/squeeze.md).
"""

from __future__ import annotations

from service.ingest.base import Source
from service.sources.sec_ftd.format import FailsToDeliver
from service.sources.sec_ftd.sync import SecFailsToDeliver

SOURCE = Source(
    name="sec-ftd",
    kind="sec-ftd",
    formats=(FailsToDeliver,),
    sync=SecFailsToDeliver(),
    help="SEC fails-to-deliver: the pipe-separated text inside cnsfailsYYYYMM{a,b}.zip "
    "(SETTLEMENT DATE|CUSIP|SYMBOL|QUANTITY (FAILS)|DESCRIPTION|PRICE).",
)
