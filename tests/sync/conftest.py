"""A loopback HTTP server whose answers a test scripts per path (status, body, headers):
`service.sync.replay`, shared with bench/sync.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.sync.replay import Answer, Script, serving

__all__ = ["Answer", "Script", "host"]


@pytest.fixture
def host() -> Iterator[tuple[str, Script]]:
    script = Script()
    with serving(script) as base:
        try:
            yield base, script
        finally:
            script.closing.set()
