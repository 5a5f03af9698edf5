"""GraphQL error messages as callers get them: what they sent is quoted back at most 100
characters long.

graphql-core quotes the offending value in full in some messages (`Value '<5,000 bytes>' does not
exist in 'SecurityType' enum.`, string literals printed by `print_ast`): a caller sending a huge
value would get it back (and into every log line that carries the message). Our own messages use
`service.errors.shown` when they are built; these come from the library, so they are cut when
rendered. "Did you mean ...?" suggestions need no treatment here: the engine asks graphql-core
not to make them when introspection is off (`hide_suggestions`).
"""

from __future__ import annotations

import re

from service.errors import ECHO_LIMIT

# A single- or double-quoted span longer than the limit: an echoed value, not prose.
_LONG = ECHO_LIMIT + 1
_LONG_QUOTED = re.compile(f"'([^']{{{_LONG},}})'|\"([^\"]{{{_LONG},}})\"")


def _cut(match: re.Match[str]) -> str:
    quote = match.group()[0]
    value = match.group(1) if match.group(1) is not None else match.group(2)
    return f"{quote}{value[:ECHO_LIMIT]}{quote}... ({len(value):,} characters)"


def bounded(message: str) -> str:
    """`message` with every quoted value longer than 100 characters cut to its first 100."""
    if len(message) <= ECHO_LIMIT:
        return message
    return _LONG_QUOTED.sub(_cut, message)
