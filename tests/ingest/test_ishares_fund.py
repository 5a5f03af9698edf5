"""The iShares fund workbook's repair of bare ampersands, whatever the read sizes."""

from __future__ import annotations

import io

import pytest

from service.sources.ishares.format import BARE_AMPERSAND, _Ampersands

TEXT = (
    b'<a href="#!type=ishares&style=All&view=x">S&P 500 &amp; more &#38; &#x26; &lt;&unknown; & &'
)
EXPECTED = (
    b'<a href="#!type=ishares&amp;style=All&amp;view=x">S&amp;P 500 &amp; more &#38; &#x26; '
    b"&lt;&unknown; &amp; &amp;"
)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 16, 1 << 16])
def test_bare_ampersands_are_escaped_and_references_kept_across_reads(size: int) -> None:
    stream = _Ampersands(io.BytesIO(TEXT))
    out = b"".join(iter(lambda: stream.read(size), b""))
    assert out == EXPECTED
    assert out == BARE_AMPERSAND.sub(b"&amp;", TEXT)
