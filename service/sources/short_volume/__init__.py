"""FINRA Reg SHO daily short volume (downloaded by `service/sources/short_interest/fetch.py`)."""

from __future__ import annotations

import click

from service.ingest.base import Source
from service.sources.short_volume.format import RegSho
from service.sources.short_volume.sync import FinraRegSho

SOURCE = Source(
    name="short-volume",
    kind="short-volume",
    formats=(RegSho,),
    sync=FinraRegSho(),
    help="FINRA Reg SHO daily short sale volume ({FACILITY}shvolYYYYMMDD.txt).",
    options=(
        click.option(
            "--facility",
            type=click.Choice(
                ["CNMS", "FNSQ", "FNQC", "FNYX", "FNRA", "FORF"], case_sensitive=False
            ),
            help="Reporting facility, when the file name does not say (FINRA names do).",
        ),
    ),
)
