"""Load the shipped reference data into the database (idempotent)."""

import gzip
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _read(name: str) -> list[dict]:
    return json.loads(gzip.decompress((DATA / f"{name}.json.gz").read_bytes()))


def charger(departement_model, commune_model) -> tuple[int, int]:
    """Insert the départements and communes that are missing; return how many rows exist."""
    departement_model.objects.bulk_create(
        [departement_model(code=d["code"], nom=d["nom"], region=d["region"]) for d in _read("departements")],
        ignore_conflicts=True,
        batch_size=1000,
    )
    commune_model.objects.bulk_create(
        [
            commune_model(
                code_insee=c["code"], nom=c["nom"], departement_id=c["departement"], codes_postaux=c["codes_postaux"]
            )
            for c in _read("communes")
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return departement_model.objects.count(), commune_model.objects.count()


def charger_si_vide() -> None:
    from territoires.models import Commune, Departement

    if not Commune.objects.exists():
        charger(Departement, Commune)
