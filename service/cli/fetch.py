"""`shortflow fetch finra-short-interest|regsho --date D`: download from FINRA, then ingest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from service.cli.base import EXIT_OK, Environment, fail, parse_date, pass_env, run_async
from service.cli.ingest import console, run_ingest
from service.errors import FetchError
from service.ingest.base import IngestOptions
from service.sources.short_interest import fetch as finra

DATE = click.option("--date", "day", required=True, callback=parse_date, help="YYYY-MM-DD.")
INGEST = click.option(
    "--ingest/--no-ingest", default=True, show_default=True, help="Ingest the file once downloaded."
)


def _download(env: Environment, url: str) -> Path:
    directory = env.settings.home.expanduser() / "downloads"
    with Progress(
        TextColumn(url.rsplit("/", 1)[-1]),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("download", total=None)
        try:
            result = run_async(
                finra.download(
                    url,
                    directory,
                    max_bytes=env.settings.sync_max_download_mb << 20,
                    on_progress=lambda done, total: progress.update(
                        task, completed=done, total=total
                    ),
                )
            )
        except FetchError as exc:
            fail(exc.message)
    console.print(f"downloaded {result.url} ({result.bytes:,} bytes) to {result.path}")
    return result.path


@click.group()
def fetch() -> None:
    """Download public files from FINRA (needs internet access), and ingest them."""


@fetch.command("finra-short-interest")
@DATE
@INGEST
@pass_env
def fetch_short_interest(env: Environment, day: date, ingest: bool) -> None:
    """The bulk short-interest file of settlement date --date (whole market)."""
    try:
        finra.check_settlement_date(day, date.today())
    except FetchError as exc:
        fail(exc.message, 2)
    path = _download(env, finra.short_interest_url(env.settings.finra_base_url, day))
    code = run_ingest(env, "short-interest", (path,), IngestOptions(), False) if ingest else EXIT_OK
    raise SystemExit(code)


@fetch.command("regsho")
@DATE
@click.option(
    "--facility",
    "facilities",
    multiple=True,
    default=("CNMS",),
    show_default=True,
    type=click.Choice(["CNMS", "FNSQ", "FNQC", "FNYX", "FNRA", "FORF"]),
    help="Facility file(s) to fetch; repeat for several.",
)
@INGEST
@pass_env
def fetch_regsho(env: Environment, day: date, facilities: tuple[str, ...], ingest: bool) -> None:
    """The Reg SHO daily short-volume file(s) of trading day --date."""
    try:
        finra.check_trading_day(day, date.today())
    except FetchError as exc:
        fail(exc.message, 2)
    paths = tuple(
        _download(env, finra.regsho_url(env.settings.finra_base_url, f, day)) for f in facilities
    )
    code = run_ingest(env, "short-volume", paths, IngestOptions(), False) if ingest else EXIT_OK
    raise SystemExit(code)


COMMANDS = (fetch,)
