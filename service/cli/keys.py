"""`shortflow keys create|list|revoke`: partner API keys.

The key itself is printed once, at creation, and never stored (only its SHA-256). Revoking
announces itself on Redis so running services stop accepting the key at once; without Redis they
stop within the key cache's time-to-live (30 s).
"""

from __future__ import annotations

import re

import click

from service.access.keys import FOUND_TTL_S, new_key, publish_key_revocation
from service.cli.base import EXIT_FAILURE, Environment, fail, pass_env, run_async
from service.db.pool import Database
from service.db.repositories.keys import ApiKey, KeyRepository

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*$", re.IGNORECASE)
_PER_MINUTE = {"s": 60.0, "sec": 60.0, "second": 60.0, "m": 1.0, "min": 1.0, "minute": 1.0}


def parse_rate(text: str) -> int:
    """`600/min`, `10/s`, `3000/hour` -> requests per minute (at least 1)."""
    match = _RATE.match(text)
    if match is None:
        raise click.BadParameter(f"{text!r} is not a rate: write N/min, N/s or N/hour (600/min)")
    count, unit = int(match.group(1)), match.group(2).lower()
    per_minute = count / 60 if unit in ("h", "hour") else count * _PER_MINUTE[unit]
    if count <= 0 or per_minute < 1:
        raise click.BadParameter(f"{text!r} is below one request per minute")
    if per_minute > 10_000_000:
        raise click.BadParameter(f"{text!r} is above 10,000,000 requests per minute")
    return round(per_minute)


def _rate(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    return None if value is None else parse_rate(value)


async def _with_keys(env: Environment) -> tuple[Database, KeyRepository]:
    db = Database(env.database_url(), min_size=1, max_size=1)
    await db.open()
    return db, KeyRepository(db)


def _line(key: ApiKey) -> str:
    state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
    used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
    return (
        f"{key.id:>5}  sfk_{key.prefix}_…  {key.rate_limit_per_minute:>8}/min  "
        f"{state:<24}  last used {used:<16}  {key.name}"
    )


@click.group()
def keys() -> None:
    """Manage partner API keys (sent as `Authorization: Bearer <key>` or `X-API-Key`)."""


@keys.command("create")
@click.option("--name", required=True, help="Who the key is for (shown in listings).")
@click.option(
    "--rate-limit",
    "rate",
    callback=_rate,
    metavar="N/min",
    help="Requests allowed per minute (N/min, N/s or N/hour). Default: "
    "SHORTFLOW_DEFAULT_KEY_RATE_LIMIT (600/min).",
)
@pass_env
def create(env: Environment, name: str, rate: int | None) -> None:
    """Create a key and print it once (only its hash is stored)."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise click.BadParameter("must be 1 to 200 characters", param_hint="--name")
    per_minute = rate or env.settings.default_key_rate_limit

    async def go() -> tuple[ApiKey, str]:
        db, repository = await _with_keys(env)
        try:
            key, prefix, digest = new_key()
            return await repository.create(name, prefix, digest, per_minute), key
        finally:
            await db.close()

    record, key = run_async(go())
    click.echo(key)
    click.echo(
        f"created key {record.id} ({record.name}, {record.rate_limit_per_minute}/min); "
        "it is shown only now: store it safely",
        err=True,
    )


@keys.command("list")
@pass_env
def list_keys(env: Environment) -> None:
    """List keys: id, prefix, limit, state, last use (never the keys themselves)."""

    async def go() -> list[ApiKey]:
        db, repository = await _with_keys(env)
        try:
            return await repository.list()
        finally:
            await db.close()

    found = run_async(go())
    if not found:
        click.echo("no API keys (create one with `shortflow keys create --name NAME`)", err=True)
    for key in found:
        click.echo(_line(key))


@keys.command("revoke")
@click.argument("key_id", metavar="ID", type=click.IntRange(min=1))
@pass_env
def revoke(env: Environment, key_id: int) -> None:
    """Revoke key ID: it stops working at once on every service (within 30 s without Redis)."""

    async def go() -> tuple[ApiKey | None, bool]:
        db, repository = await _with_keys(env)
        try:
            record = await repository.revoke(key_id)
        finally:
            await db.close()
        if record is None:
            return None, False
        announced = await publish_key_revocation(
            env.redis_url(), env.settings.redis_prefix, record.id
        )
        return record, announced

    record, announced = run_async(go())
    if record is None:
        fail(f"no API key with id {key_id} (`shortflow keys list` shows them)", EXIT_FAILURE)
    click.echo(_line(record))
    if not announced:
        click.echo(
            f"warning: Redis is unreachable; running services stop accepting the key within "
            f"{FOUND_TTL_S:.0f} s",
            err=True,
        )


COMMANDS = (keys,)
