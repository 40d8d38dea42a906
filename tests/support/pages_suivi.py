"""What the tests of the workflow's HTML pages share: the URLs of a case, its page, the
value of a ``datetime-local`` field and the entretien form as a browser posts it."""

from __future__ import annotations

import datetime

from django.urls import reverse


def saisie_locale(jour: datetime.date, heure: int, minute: int = 0) -> str:
    """What a ``datetime-local`` field sends for ``jour`` at ``heure``:``minute``."""
    return f"{jour:%Y-%m-%d}T{heure:02d}:{minute:02d}"


def url_suivi(nom, prestation, *args) -> str:
    """The URL ``prestations:<nom>`` of the case (and of ``args`` after it)."""
    return reverse(f"prestations:{nom}", args=[prestation.pk, *args])


def page_du_dossier(client, prestation) -> str:
    """The case page as ``client`` reads it (a 200)."""
    response = client.get(url_suivi("prestation_detail", prestation))
    assert response.status_code == 200
    return response.content.decode()


def poster_entretien(client, prestation, debut: str, htmx=False, **champs):
    """The entretien form: 45 minutes, individual, face to face, present, unless told otherwise."""
    data = {
        "entretien-debut": debut,
        "entretien-duree_minutes": "45",
        "entretien-type": "individuel",
        "entretien-modalite": "presentiel",
        "entretien-phase": prestation.phase,
        "entretien-presence": "present",
        "entretien-compte_rendu": "Point sur les démarches.",
    }
    data.update({f"entretien-{k}": v for k, v in champs.items()})
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url_suivi("prestation_entretien", prestation), data, **extra)
