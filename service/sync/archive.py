"""Reading downloaded zip archives as untrusted input (CFTC's yearly files, SEC's fails to deliver).

An archive is expected to hold one data file. Its member names never become paths (zip-slip): the
caller names the output file. The size read is bounded while decompressing, whatever the member's
header declares (zip bombs), and encrypted or oddly shaped archives are refused with a reason.
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
import zipfile
from pathlib import Path

from service.errors import FetchError

CHUNK_BYTES = 1 << 20


def extract_member(archive: Path, pattern: str, target: Path, *, max_bytes: int) -> Path:
    """Decompress the one member whose base name matches `pattern` (fnmatch, case-insensitive)
    into `target`, atomically. FetchError when the archive is not a zip, holds no such member or
    several, is encrypted, or inflates beyond `max_bytes`."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [
                info
                for info in bundle.infolist()
                if not info.is_dir()
                and fnmatch.fnmatch(_base_name(info.filename).lower(), pattern.lower())
            ]
            if len(members) != 1:
                names = ", ".join(repr(i.filename[:80]) for i in bundle.infolist()[:10])
                raise FetchError(
                    f"{archive.name}: expected one member matching {pattern!r}, found "
                    f"{len(members)} (members: {names or 'none'})"
                )
            info = members[0]
            if info.flag_bits & 0x1:
                raise FetchError(f"{archive.name}: {info.filename!r} is encrypted")
            if info.file_size > max_bytes:
                raise FetchError(
                    f"{archive.name}: {info.filename!r} declares {info.file_size:,} bytes, over "
                    f"the limit of {max_bytes:,}"
                )
            _copy_bounded(bundle, info, archive, target, max_bytes)
    except zipfile.BadZipFile as exc:
        raise FetchError(f"{archive.name}: not a zip archive ({exc})") from None
    return target


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _copy_bounded(
    bundle: zipfile.ZipFile, info: zipfile.ZipInfo, archive: Path, target: Path, max_bytes: int
) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    written = 0
    try:
        with os.fdopen(handle, "wb") as out, bundle.open(info) as member:
            while block := member.read(CHUNK_BYTES):
                written += len(block)
                if written > max_bytes:
                    raise FetchError(
                        f"{archive.name}: {info.filename!r} inflates beyond the limit of "
                        f"{max_bytes:,} bytes"
                    )
                out.write(block)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
