"""`shortflow demo`: generate the demo dataset and load it through the ingest pipeline."""

from __future__ import annotations

import shutil
import time

import click

from service.cli.base import EXIT_FAILURE, EXIT_OK, Environment, pass_env, run_async
from service.cli.ingest import console, describe, ingest_database, invalidation_publisher
from service.db.pool import Database
from service.db.repositories.short_interest import ShortInterestRepository
from service.demo.generate import DemoPlan, generate
from service.ingest.base import IngestOptions
from service.ingest.pipeline import ingest_file


@click.command()
@click.option("--seed", default=7, show_default=True, help="Same seed, same data.")
@click.option(
    "--stocks",
    default=3000,
    show_default=True,
    type=click.IntRange(600, 20_000),
    help="Companies (plus ten ETFs); R2000 takes 2,000 of them, SP500 the 500 largest.",
)
@click.option(
    "--years",
    default=10,
    show_default=True,
    type=click.IntRange(1, 30),
    help="Years of short interest, prices and flows.",
)
@click.option(
    "--short-volume-years",
    default=1,
    show_default=True,
    type=click.IntRange(0, 30),
    help="Years of daily Reg SHO short volume (the largest dataset).",
)
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already holds short interest."
)
@click.option("--keep-files", is_flag=True, help="Keep the generated files after loading.")
@pass_env
def demo(
    env: Environment,
    seed: int,
    stocks: int,
    years: int,
    short_volume_years: int,
    if_empty: bool,
    keep_files: bool,
) -> None:
    """Load a generated demo dataset: years of consistent synthetic history (deterministic).

    The data is written as files in the public formats under SHORTFLOW_HOME/demo and ingested
    like any user file, so loading it twice changes nothing.
    """

    async def go() -> int:
        from service.db.migrate import migrate

        # Like `serve`: a fresh (embedded) database gets its schema first.
        await migrate(env.database_url())
        db = await ingest_database(env)
        try:
            if if_empty and await ShortInterestRepository(db).any():
                console.print("demo: the database already holds data; nothing to do (--if-empty)")
                return EXIT_OK
            return await _load(
                env, db, DemoPlan(seed, stocks, years, short_volume_years), keep_files
            )
        finally:
            await db.close()

    raise SystemExit(run_async(go()))


async def _load(env: Environment, db: Database, plan: DemoPlan, keep_files: bool) -> int:
    started = time.perf_counter()
    directory = env.settings.home.expanduser() / "demo" / f"seed-{plan.seed}"
    with console.status("generating the demo dataset") as status:
        files = generate(plan, directory, lambda step: status.update(f"generating {step}"))
    console.print(
        f"demo: generated {len(files.files)} files in {time.perf_counter() - started:.1f} s"
    )
    publish = invalidation_publisher(env)
    rows = failed = 0
    try:
        for kind, path, options in files.files:
            with console.status(f"ingesting {path.name} ({kind})"):
                outcome = await ingest_file(
                    db, path, kind, IngestOptions(**options), after_commit=publish
                )
            console.print(describe(outcome))
            rows += outcome.rows_accepted
            failed += outcome.status == "failed"
    finally:
        if not keep_files:
            shutil.rmtree(directory, ignore_errors=True)
    elapsed = time.perf_counter() - started
    console.print(
        f"demo: {rows:,} rows from {len(files.files)} files in {elapsed:.0f} s "
        f"(seed {plan.seed}, {plan.stocks:,} stocks, {plan.years} years)"
        + (f"; {failed} file(s) FAILED" if failed else ""),
        style="red" if failed else "green",
    )
    return EXIT_FAILURE if failed else EXIT_OK


COMMANDS = (demo,)
