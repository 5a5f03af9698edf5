"""The SQL side of an ingest: runs, staging, the shared steps, and each format's named queries.

An `IngestStore` wraps the one connection (and transaction) an ingest runs in. Formats never hold
SQL: they ask the store to run a named query of their source's `service/sources/<name>/queries.sql`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
from asyncpg.transaction import Transaction

from service.db import queries
from service.db.pool import Connection
from service.ingest.results import ApplyResult, Rejection

Q = queries.load("ingest")
EXPOSURE = queries.load("exposure")
CONTEXT = queries.load("context")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_TYPE = re.compile(r"^[a-z][a-z0-9 \[\]]*$")
STAGING = "staging"
COPY_CHUNK_BYTES = 1 << 20


class IngestStore:
    """One ingest's connection: every statement of the run goes through here."""

    def __init__(self, conn: Connection, *, ingest_date: date) -> None:
        self.conn = conn
        self.ingest_date = ingest_date
        self.run_id: int | None = None

    # -- runs ------------------------------------------------------------------------------

    async def applied_run(self, kind: str, sha256: str, options: dict[str, str]) -> int | None:
        row = await self.conn.fetchrow(Q.applied_run, kind, sha256, options)
        return None if row is None else int(row["id"])

    async def lock_file(self, kind: str, sha256: str, options: dict[str, str]) -> None:
        key = f"{kind}:{sha256}:{sorted(options.items())}"
        await self.conn.execute(Q.lock_file, key)

    async def start_run(
        self,
        kind: str,
        format_name: str,
        file_name: str,
        sha256: str,
        options: dict[str, str],
        started_at: datetime,
    ) -> int:
        run_id: int = await self.conn.fetchval(
            Q.start_run, kind, format_name, file_name, sha256, options, started_at
        )
        self.run_id = run_id
        return run_id

    async def finish_run(
        self, read: int, accepted: int, rejected: int, skipped: int, summary: dict[str, Any]
    ) -> None:
        await self.conn.execute(
            Q.finish_run, self.run_id, read, accepted, rejected, skipped, summary
        )

    async def failed_run(
        self,
        kind: str,
        format_name: str | None,
        file_name: str,
        sha256: str,
        options: dict[str, str],
        read: int,
        rejected: int,
        skipped: int,
        started_at: datetime,
        error: str,
    ) -> int:
        run_id: int = await self.conn.fetchval(
            Q.failed_run,
            kind,
            format_name,
            file_name,
            sha256,
            options,
            read,
            rejected,
            skipped,
            started_at,
            error,
        )
        self.run_id = run_id
        return run_id

    async def save_rejects(self, rejects: Sequence[Rejection]) -> None:
        if rejects:
            await self.conn.copy_records_to_table(
                "rejected_row",
                records=((self.run_id, r.line, r.raw, r.reason) for r in rejects),
                columns=("ingest_run_id", "line_number", "raw", "reason"),
            )

    async def bump_versions(self, datasets: Iterable[str]) -> dict[str, int]:
        rows = await self.conn.fetch(Q.bump_versions, list(datasets))
        return {row["dataset"]: row["version"] for row in rows}

    # -- staging ---------------------------------------------------------------------------

    async def create_staging(self, columns: Sequence[tuple[str, str]]) -> None:
        """CREATE TEMP TABLE staging from a format's declared (constant) column list."""
        for name, type_ in columns:
            if not (_IDENTIFIER.match(name) and _TYPE.match(type_)):
                raise ValueError(f"bad staging column {name} {type_}")
        definition = ", ".join(f"{name} {type_}" for name, type_ in columns)
        await self.conn.execute(
            f"CREATE TEMP TABLE {STAGING} ({definition}, security_id bigint) ON COMMIT DROP"
        )

    async def copy_staging(
        self, columns: Sequence[tuple[str, str]], records: Iterable[tuple[Any, ...]]
    ) -> int:
        result = await self.conn.copy_records_to_table(
            STAGING, records=records, columns=[name for name, _ in columns]
        )
        return int(result.split()[-1])

    async def copy_staging_text(
        self, columns: Sequence[tuple[str, str]], lines: Iterable[str]
    ) -> int:
        """COPY lines already in COPY text format, sent in chunks of about 1 MB."""

        async def chunks() -> AsyncIterator[bytes]:
            batch: list[str] = []
            size = 0
            for line in lines:
                batch.append(line)
                size += len(line)
                if size >= COPY_CHUNK_BYTES:
                    yield "".join(batch).encode()
                    batch, size = [], 0
            if batch:
                yield "".join(batch).encode()

        result = await self.conn.copy_to_table(
            STAGING, source=chunks(), columns=[name for name, _ in columns], format="text"
        )
        return int(result.split()[-1])

    async def analyze_staging(self) -> None:
        await self.conn.execute(Q.analyze_staging)

    async def take_duplicates(self) -> list[Rejection]:
        """Remove rows repeating an earlier row of the file; return them as rejections."""
        rows = await self.conn.fetch(Q.duplicate_rows)
        if not rows:
            return []
        await self.conn.execute(Q.delete_staged_lines, [row["line"] for row in rows])
        return [
            Rejection(row["line"], row["raw"] or "", f"duplicate of line {row['first_line']}")
            for row in rows
        ]

    async def upsert_securities(self) -> int:
        """Create securities seen for the first time; returns how many were created."""
        rows = await self.conn.fetch(Q.upsert_securities)
        return sum(1 for row in rows if row["created"])

    async def resolve_securities(self) -> None:
        await self.conn.execute(Q.resolve_by_interval)
        await self.conn.execute(Q.resolve_remaining)

    async def ensure_year_partitions(self, table: str, first: date, last: date) -> None:
        await self.conn.execute(Q.ensure_year_partitions, table, first.year, last.year)

    async def ensure_index(self, code: str, name: str | None = None) -> None:
        await self.conn.execute(Q.ensure_index, code, name)

    async def refresh_context(self) -> int:
        """Recompute the short-interest context the staged rows can have changed; rows written."""
        return await self.execute(CONTEXT.refresh_from_staging)

    async def refresh_exposure(self, result: ApplyResult) -> int:
        """Recompute index short exposure where this ingest changed an input; rows written.

        New short interest: its settlement dates, every index. New prices: the settlement dates
        whose 5-trading-day price window they fall in. New members or tracking funds: every date
        of those indexes.
        """
        dates = set(result.settlement_dates)
        if result.price_range is not None:
            rows = await self.conn.fetch(EXPOSURE.settlement_dates_priced_by, *result.price_range)
            dates |= {row["settlement_date"] for row in rows}
        written = 0
        scopes: list[tuple[list[str] | None, list[date] | None]] = []
        if result.index_codes:
            scopes.append((sorted(result.index_codes), None))
        if dates:
            scopes.append((None, sorted(dates)))
        for codes, days in scopes:
            await self.conn.execute(EXPOSURE.clear, codes, days)
            written += await self.execute(EXPOSURE.refresh, codes, days)
        return written

    # -- a format's own queries ------------------------------------------------------------

    def savepoint(self) -> Transaction:
        """A nested transaction: an error inside rolls back to here, not the whole ingest."""
        return self.conn.transaction()

    async def execute(self, query: str, *args: Any) -> int:
        """Run a named query of the format's file; returns the affected row count."""
        status = await self.conn.execute(query, *args)
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await self.conn.fetch(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self.conn.fetchval(query, *args)

    async def staged_range(self, query: str) -> tuple[date, date] | None:
        """(first, last) date of a query with `first` and `last` date columns, or None."""
        row = await self.conn.fetchrow(query)
        if row is None or row["first"] is None:
            return None
        return row["first"], row["last"]
