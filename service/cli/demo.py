"""`shortflow demo`."""

from __future__ import annotations

import click

from service.cli import fail


@click.command()
def demo() -> None:
    """Load a generated demo dataset (deterministic from --seed)."""
    fail("shortflow demo is not implemented yet (tracked in issue 5)")


COMMANDS = (demo,)
