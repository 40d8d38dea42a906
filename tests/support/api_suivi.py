"""What the tests of the workflow API share: JSON posts, and the contractualisation and
entretien calls as an API client sends them."""

from __future__ import annotations

import datetime

from tests.prestations.dossiers import PARIS

#: A valid SIRET as typed in the API (the journey types it with spaces).
SIRET = "73282932000074"


def instant(jour: str, heure: int = 15) -> datetime.datetime:
    """``jour`` (ISO date) at ``heure`` o'clock in Paris: where the tests move the frozen clock."""
    return datetime.datetime.fromisoformat(jour).replace(hour=heure, tzinfo=PARIS)


def poster(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patcher(client, url, data):
    return client.patch(url, data, content_type="application/json")


def contractualiser(client, prestation, *, signe=True, debut="2026-11-23T09:30:00"):
    """POST the contractualisation: 60 minutes face to face on 23/11/2026 at 09:30, signed."""
    return poster(
        client,
        f"/api/prestations/{prestation.pk}/contractualisation/",
        {"debut": debut, "duree_minutes": 60, "modalite": "presentiel", "signe": signe, "compte_rendu": "Contrat lu."},
    )


def enregistrer_entretien(client, prestation, debut, **champs):
    """POST an entretien: 45 minutes face to face, the person present, unless told otherwise."""
    data = {"debut": debut, "duree_minutes": 45, "modalite": "presentiel", "presence": "present", **champs}
    return poster(client, f"/api/prestations/{prestation.pk}/entretiens/", data)


def mettre_en_cours(client, prestation) -> dict:
    """Contractualise through the API (a 200) and return the case as the API shows it."""
    response = contractualiser(client, prestation)
    assert response.status_code == 200, response.json()
    return response.json()
