"""FINRA equity short interest (bulk files and the website export) and its downloader."""

from __future__ import annotations

from service.ingest.base import Source
from service.sources.short_interest.format import FinraBulk, FinraWebExport
from service.sources.short_interest.sync import FinraShortInterest

SOURCE = Source(
    name="short-interest",
    kind="short-interest",
    formats=(FinraBulk, FinraWebExport),
    sync=FinraShortInterest(),
    help="FINRA short interest: bulk files (shrtYYYYMMDD.csv) or the website's per-symbol export.",
)
