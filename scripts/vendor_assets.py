"""Vendor the browser assets for GraphiQL, the REST API docs and the web app into the ``service``
package (and axe-core, for the web app's accessibility test, into tests/webapp/vendor).

Why: the service serves GraphiQL (service/graphql/static/) and Swagger UI (service/rest/static/)
with nothing loaded from a CDN, because deployments may be air-gapped and a newcomer's machine has
only Python (no Node.js/npm). So the assets are committed; this script is how they were produced
and how to update them: change a version in ``PINS``, run it, review and commit the diff.

It fetches the pinned npm tarballs from the public registry with the standard library, verifies
each tarball's ``dist.integrity`` (SRI sha512) before reading it, copies the wanted files plus the
package's LICENSE (as ``<package>.LICENSE``), and writes a deterministic ``VENDORED.json`` per
directory (package, version, tarball URL and integrity, sha256 of each file).

    python scripts/vendor_assets.py           # download and (re)write assets and manifests
    python scripts/vendor_assets.py --check   # offline: verify files on disk against manifests
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.request
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = "https://registry.npmjs.org"
MANIFEST = "VENDORED.json"
LICENSE_RE = re.compile(r"package/licen[cs]e(\.[a-z]+)?", re.IGNORECASE)


class Pin(NamedTuple):
    """One npm package: which version, where its files go, and which files (tarball -> disk)."""

    name: str
    version: str
    dest: Path
    files: tuple[str, ...]  # paths inside the tarball, relative to package/; kept by base name


GRAPHQL_STATIC = ROOT / "service" / "graphql" / "static"
REST_STATIC = ROOT / "service" / "rest" / "static"
WEBAPP_STATIC = ROOT / "service" / "webapp" / "static"
# Test-only: injected into the web app's pages by tests/webapp/ (never served by the service).
TEST_VENDOR = ROOT / "tests" / "webapp" / "vendor"
PINS: tuple[Pin, ...] = (
    Pin("graphiql", "3.8.3", GRAPHQL_STATIC, ("graphiql.min.js", "graphiql.min.css")),
    Pin("react", "18.3.1", GRAPHQL_STATIC, ("umd/react.production.min.js",)),
    Pin("react-dom", "18.3.1", GRAPHQL_STATIC, ("umd/react-dom.production.min.js",)),
    Pin("swagger-ui-dist", "5.35.0", REST_STATIC, ("swagger-ui-bundle.js", "swagger-ui.css")),
    Pin("uplot", "1.6.32", WEBAPP_STATIC, ("dist/uPlot.iife.min.js", "dist/uPlot.min.css")),
    Pin("axe-core", "4.10.3", TEST_VENDOR, ("axe.min.js",)),
)


def fetch(url: str) -> bytes:
    """GET ``url`` over HTTPS and return the body (raises on HTTP errors)."""
    if not url.startswith("https://"):
        raise SystemExit(f"refusing non-HTTPS URL: {url}")
    req = urllib.request.Request(url, headers={"User-Agent": "shortflow-vendor-assets"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        body: bytes = resp.read()
    return body


def verify_integrity(data: bytes, integrity: str, what: str) -> None:
    """Check ``data`` against an SRI string ``sha512-<base64>``; exit loudly on any mismatch."""
    actual = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != integrity:
        raise SystemExit(
            f"INTEGRITY MISMATCH for {what}\n  registry: {integrity}\n  download: {actual}"
        )


def vendor(pin: Pin, manifests: dict[Path, dict[str, Any]]) -> None:
    """Download, verify and extract one pinned package; record its files in ``manifests``."""
    meta = json.loads(fetch(f"{REGISTRY}/{pin.name}/{pin.version}"))
    url, integrity = meta["dist"]["tarball"], meta["dist"]["integrity"]
    data = fetch(url)
    verify_integrity(data, integrity, f"{pin.name}@{pin.version} ({url})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        licenses = [n for n in members if LICENSE_RE.fullmatch(n)]
        if len(licenses) != 1:
            raise SystemExit(f"{pin.name}@{pin.version}: expected one LICENSE, found {licenses}")
        wanted = {f"package/{src}": Path(src).name for src in pin.files}
        wanted[licenses[0]] = f"{pin.name}.LICENSE"
        pin.dest.mkdir(parents=True, exist_ok=True)
        for src, dst in wanted.items():
            if src not in members:
                raise SystemExit(f"{pin.name}@{pin.version}: {src} not found in {url}")
            fobj = tar.extractfile(members[src])
            assert fobj is not None  # regular files always have a file object
            content = fobj.read()
            (pin.dest / dst).write_bytes(content)
            manifests.setdefault(pin.dest, {})[dst] = {
                "package": pin.name,
                "version": pin.version,
                "tarball": url,
                "integrity": integrity,
                "sha256": hashlib.sha256(content).hexdigest(),
            }
            print(f"  {(pin.dest / dst).relative_to(ROOT)} ({len(content):,} bytes)")


def expected_files(dest: Path) -> dict[str, Pin]:
    """File name -> pin for every file (assets and LICENSEs) that PINS puts in ``dest``."""
    pins = [p for p in PINS if p.dest == dest]
    out = {Path(src).name: p for p in pins for src in p.files}
    return out | {f"{p.name}.LICENSE": p for p in pins}


def check() -> list[str]:
    """Offline: compare files on disk, and the pinned versions, with the manifests."""
    problems: list[str] = []
    for dest in sorted({pin.dest for pin in PINS}):
        path = dest / MANIFEST
        if not path.is_file():
            problems.append(f"{path.relative_to(ROOT)}: missing (run without --check)")
            continue
        files: dict[str, dict[str, str]] = json.loads(path.read_text("utf-8"))["files"]
        expected = expected_files(dest)
        for name in sorted(expected.keys() - files.keys()):
            problems.append(f"{(dest / name).relative_to(ROOT)}: pinned but not in {MANIFEST}")
        for name, entry in sorted(files.items()):
            rel = (dest / name).relative_to(ROOT)
            pin = expected.get(name)
            if pin is None or (pin.name, pin.version) != (entry["package"], entry["version"]):
                want = f"{pin.name}@{pin.version}" if pin else "nothing"
                problems.append(
                    f"{rel}: manifest has {entry['package']}@{entry['version']}, PINS has {want}"
                )
            if not (dest / name).is_file():
                problems.append(f"{rel}: missing")
            elif hashlib.sha256((dest / name).read_bytes()).hexdigest() != entry["sha256"]:
                problems.append(f"{rel}: sha256 differs from {MANIFEST}")
    return problems


def main() -> int:
    """Parse arguments; vendor everything, or with ``--check`` verify offline. Returns exit code."""
    parser = argparse.ArgumentParser(
        description="Vendor GraphiQL/React, Swagger UI and uPlot assets from the npm registry into "
        "service/graphql/static, service/rest/static and service/webapp/static, and axe-core "
        "into tests/webapp/vendor (no npm needed).",
        epilog="Pinned: " + ", ".join(f"{p.name}@{p.version}" for p in PINS),
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="verify files on disk against VENDORED.json without network access; "
        "exit 1 listing differences, 0 if all match",
    )
    args = parser.parse_args()
    if args.check:
        problems = check()
        for problem in problems:
            print(f"MISMATCH {problem}", file=sys.stderr)
        print("vendored assets: " + (f"{len(problems)} problem(s)" if problems else "all match"))
        return 1 if problems else 0
    manifests: dict[Path, dict[str, Any]] = {}
    for pin in PINS:
        print(f"{pin.name}@{pin.version}")
        vendor(pin, manifests)
    for dest, files in manifests.items():  # sorted keys + fixed indent => byte-identical reruns
        text = json.dumps({"files": files}, indent=2, sort_keys=True) + "\n"
        (dest / MANIFEST).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
