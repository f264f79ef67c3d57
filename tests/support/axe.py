"""axe-core for the accessibility tests: a pinned npm package, sha256 checked."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from navigator.settings import get_settings
from search.server import extract_member, npm_command, verify_sha256

AXE_PACKAGE = "axe-core@4.10.3"
AXE_SHA256 = "880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb"


def axe_script() -> Path:
    """var/axe/axe.min.js, fetched once with `npm pack`."""
    target = get_settings().var_dir / "axe" / f"{AXE_PACKAGE.replace('@', '-')}.min.js"
    if target.exists():
        verify_sha256(target, AXE_SHA256)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        packed = subprocess.run(
            [*npm_command(), "pack", AXE_PACKAGE, "--json", "--pack-destination", tmp],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        tarball = Path(tmp) / json.loads(packed.stdout)[0]["filename"]
        candidate = Path(tmp) / "axe.min.js"
        extract_member(tarball, "package/axe.min.js", candidate)
        verify_sha256(candidate, AXE_SHA256)
        candidate.replace(target)
    return target
