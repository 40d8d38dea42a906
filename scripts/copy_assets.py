"""Copy the front-end assets installed by npm into static/vendor (served by WhiteNoise).

Every file a copied stylesheet or script points to (a ``url(...)`` in CSS, a
``sourceMappingURL`` comment) is copied too: in production, ``collectstatic`` with the
manifest storage refuses to run when such a reference leads nowhere. After copying,
the references are checked, so that a new asset missing one of its files fails here,
with the file named, and not later at the Docker build.
"""

import fnmatch
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from django.contrib.staticfiles.storage import HashedFilesMixin

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/css/bootstrap.min.css",
    "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/css/bootstrap.min.css.map",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/js/bootstrap.bundle.min.js",
    "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/js/bootstrap.bundle.min.js.map",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff": "bootstrap-icons/fonts/bootstrap-icons.woff",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff2": "bootstrap-icons/fonts/bootstrap-icons.woff2",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "chart.js/dist/chart.umd.min.js": "chartjs/chart.umd.min.js",
    "chart.js/dist/chart.umd.min.js.map": "chartjs/chart.umd.min.js.map",
    "signature_pad/dist/signature_pad.umd.min.js": "signature_pad/signature_pad.umd.min.js",
    "signature_pad/dist/signature_pad.umd.min.js.map": "signature_pad/signature_pad.umd.min.js.map",
}


def references(path: Path) -> list[str]:
    """Relative URLs that ``path`` (a .css or .js file) points to, read with the patterns
    Django's manifest storage follows (``url()``, ``@import``, ``sourceMappingURL``)."""
    found = []
    for extension, patterns in HashedFilesMixin.patterns:
        if not path.is_file() or not fnmatch.fnmatch(path.name, extension):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in patterns:
            regex = pattern[0] if isinstance(pattern, tuple) else pattern
            for match in re.finditer(regex, text, re.IGNORECASE):
                url = match.group("url")
                if re.match(r"^[a-z]+:", url) or url.startswith(("//", "/")):
                    continue  # data: URIs, other hosts, absolute paths: not files of this folder
                url_path = urlsplit(urldefrag(url)[0]).path.strip()
                if url_path:
                    found.append(url_path)
    return found


def unresolved_references(vendor: Path) -> list[str]:
    """``"file -> reference"`` for each reference of a copied CSS/JS file that leads nowhere."""
    missing = []
    for path in sorted(vendor.rglob("*")):
        for url in references(path):
            if not (path.parent / unquote(url)).resolve().is_file():
                missing.append(f"{path.relative_to(vendor)} -> {url}")
    return missing


def copy(vendor: Path = VENDOR) -> None:
    for src, dst in FILES.items():
        target = vendor / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / src, target)


def main() -> int:
    missing = [src for src in FILES if not (NODE / src).exists()]
    if missing:
        print("Missing npm assets (run `npm ci`):", ", ".join(missing), file=sys.stderr)
        return 1
    copy(VENDOR)
    unresolved = unresolved_references(VENDOR)
    if unresolved:
        print(
            "Copied assets point to files that were not copied (add them to FILES):\n  " + "\n  ".join(unresolved),
            file=sys.stderr,
        )
        return 1
    print(f"{len(FILES)} assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
