"""Rebuild territoires/data/*.json.gz from the npm package @etalab/decoupage-administratif.

Run by hand when the official geography changes (`npm install` first); the
generated files are committed, so nothing is downloaded at run time.
"""

import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
TARGET = ROOT / "territoires" / "data"


def main() -> None:
    departements = [
        {"code": d["code"], "nom": d["nom"], "region": d.get("region") or ""}
        for d in json.loads((SOURCE / "departements.json").read_text())
    ]
    communes = [
        {
            "code": c["code"],
            "nom": c["nom"],
            "departement": c["departement"],
            "codes_postaux": c.get("codesPostaux", []),
        }
        for c in json.loads((SOURCE / "communes.json").read_text())
        if c["type"] == "commune-actuelle"
    ]
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, rows in (("departements", departements), ("communes", communes)):
        payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()
        (TARGET / f"{name}.json.gz").write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"{len(departements)} départements, {len(communes)} communes")


if __name__ == "__main__":
    main()
