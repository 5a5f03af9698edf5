"""`shortflow keys create|list|revoke`."""

from __future__ import annotations

import click

from service.cli import fail


@click.group()
def keys() -> None:
    """Manage partner API keys."""


for _verb in ("create", "list", "revoke"):

    @keys.command(_verb, help=f"API keys: {_verb} (not implemented yet, issue 6).")
    def _not_yet() -> None:
        fail("shortflow keys is not implemented yet (tracked in issue 6)")


COMMANDS = (keys,)
