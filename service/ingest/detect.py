"""Which layout a file is in, told by its header (not its name)."""

from __future__ import annotations

from service.errors import IngestError, UnknownFormat
from service.ingest.base import Format, Head
from service.sources import FORMATS


def detect(head: Head, kind: str) -> type[Format]:
    """The format of a file expected to hold `kind` data; a clear error when it is not."""
    if not head.lines:
        raise UnknownFormat(f"{head.name}: the file is empty")
    matching = [fmt for fmt in FORMATS if fmt.matches(head)]
    for fmt in matching:
        if fmt.kind == kind:
            return fmt
    if matching:
        other = matching[0].kind
        raise IngestError(
            f"{head.name} looks like a {other} file ({matching[0].name}), not {kind}: "
            f"use `shortflow ingest {other}`"
        )
    expected = ", ".join(fmt.name for fmt in FORMATS if fmt.kind == kind) or "none yet"
    raise UnknownFormat(
        f"{head.name}: the header {head.first[:120]!r} matches no known {kind} layout "
        f"(known: {expected})"
    )
