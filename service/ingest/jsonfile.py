"""Reading the JSON formats (SEC's APIs): a whole document, bounded before it is parsed.

A JSON document cannot be streamed row by row the way a CSV file is, so what the CSV reader bounds
per line is bounded here per document: its size on disk (read no further than the limit) and its
nesting depth (counted on the text with the strings taken out, before `json.loads` sees it: the
decoder recurses once per level, and a document of a million `[` would otherwise end in a
RecursionError rather than a clear error). Both limits are far above what the real files need.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from service.errors import IngestError
from service.ingest.base import BOM

MAX_JSON_BYTES = 256 << 20
"""The largest document read (SEC's companyfacts of the largest filers are tens of MB)."""
MAX_JSON_DEPTH = 32
"""The deepest nesting accepted (companyfacts nests 7 levels)."""

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def read_json(
    path: Path, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """The document in `path`, or IngestError saying why it is not one Shortflow reads."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IngestError(f"{path.name}: larger than the limit of {max_bytes:,} bytes for JSON")
    try:
        text = data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
    depth = deepest(text)
    if depth > max_depth:
        raise IngestError(f"{path.name}: JSON nested {depth} levels deep (limit {max_depth})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"{path.name}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None


def deepest(text: str) -> int:
    """How deep arrays and objects nest in `text` (brackets inside strings do not count)."""
    depth = deepest_seen = 0
    for match in _BRACKETS.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest_seen = max(deepest_seen, depth)
        else:
            depth -= 1
    return deepest_seen
