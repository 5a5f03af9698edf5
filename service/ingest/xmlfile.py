"""XML from the network, parsed one way everywhere: defusedxml with DTDs forbidden, so that no
entity (internal: a "billion laughs" bomb; external: a file or URL) is ever declared, let alone
expanded, and a document that is not well-formed is a clear ingest error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import iterparse

from service.errors import IngestError


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def parse_events(
    source: str | Readable, events: tuple[str, ...] = ("end",)
) -> Iterator[tuple[str, Element]]:
    """`iterparse` of `source` (a path or a binary stream); IngestError for a refused or broken
    document. The caller clears what it has read, to keep memory flat."""
    try:
        yield from iterparse(source, events=events, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise IngestError(f"the workbook is refused: {exc}") from None
    except ParseError as exc:
        raise IngestError(f"the workbook is not well-formed XML: {exc}") from None
