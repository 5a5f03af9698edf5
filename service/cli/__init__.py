"""The `shortflow` command: the click group and the commands of its modules (what they share,
exit codes included, is in `service/cli/base.py`)."""

from __future__ import annotations

import logging
import os

import click

from service.cli import demo, fetch, ingest, keys, schema, server, sync
from service.cli.base import Environment
from service.logs import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="shortflow")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Shortflow: US short interest and ETF fund flows over GraphQL and REST.

    Configuration comes from the environment: DATABASE_URL and REDIS_URL (unset: embedded
    Postgres and Redis under SHORTFLOW_HOME, default ./.shortflow), SHORTFLOW_REQUIRE_API_KEY,
    and the SHORTFLOW_* variables listed in docs/configuration.md.

    Exit codes: 0 success, 1 failure (nothing applied), 2 usage error, 3 ingested with rejected
    rows.
    """
    ctx.ensure_object(Environment)
    os.environ.setdefault("SHORTFLOW_LOG_FORMAT", "console")
    settings = ctx.obj.settings
    configure_logging(settings.log_level, settings.log_format)
    logging.getLogger("asyncio").setLevel(logging.WARNING)


for module in (server, ingest, fetch, sync, demo, keys, schema):
    for command in module.COMMANDS:
        main.add_command(command)
