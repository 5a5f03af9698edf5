"""The data sources Shortflow ingests, one folder each, registered in `SOURCES`.

A source folder holds what is particular to one source: its `SOURCE` (`__init__.py`), its formats
(`format.py`: detection, parsing, staging columns, `apply`), its staging and upsert SQL
(`queries.sql`) and, where the data can be downloaded, its fetcher (`fetch.py`). The shared
machinery (reading, COPY, rejects, runs, dataset versions) lives in `service/ingest/`. Adding a
source: one folder plus one line in `SOURCES` (docs/contributing.md).
"""

from __future__ import annotations

from service.ingest.base import Format, Source
from service.sources import (
    cftc,
    fund_flows,
    holdings,
    index_members,
    ishares,
    prices,
    sec,
    sec_ftd,
    securities,
    short_interest,
    short_volume,
    spdr,
    symbol_directory,
)

SOURCES: tuple[Source, ...] = (
    short_interest.SOURCE,
    short_volume.SOURCE,
    holdings.SOURCE,
    prices.SOURCE,
    fund_flows.SOURCE,
    index_members.SOURCE,
    securities.SOURCE,
    symbol_directory.SOURCE,
    sec.TICKERS_SOURCE,
    sec.SHARES_SOURCE,
    sec_ftd.SOURCE,
    cftc.SOURCE,
    ishares.SOURCE,
    spdr.SOURCE,
)

FORMATS: tuple[type[Format], ...] = tuple(fmt for source in SOURCES for fmt in source.formats)
"""Every input layout. The matchers are written so that no two share a header
(tests/ingest/test_reference_formats.py checks every real sample against exactly one format)."""
