"""E-mails in development (``make run``): written to files, read in the browser.

``FichierParMessage`` is the e-mail backend when ``DEBUG`` is on: each message becomes one
``.eml`` file under ``EMAIL_FILE_PATH`` (``var/emails/``), so nothing with a person's name
is printed to the console. ``/dev/emails/`` lists them, newest first, and shows each one
with its links: a demo user follows a notice or a signature link from there. The pages
exist only when ``DEBUG`` is on (``config/urls.py``).
"""

from __future__ import annotations

import email
import email.policy
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

AFFICHES = 200


def dossier() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


class FichierParMessage(BaseEmailBackend):
    """One ``.eml`` file per message under ``EMAIL_FILE_PATH``."""

    def send_messages(self, email_messages):
        cible = dossier()
        cible.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            nom = f"{timezone.localtime():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:6]}.eml"
            (cible / nom).write_bytes(message.message().as_bytes())
        return len(email_messages)


def _lire(fichier: Path) -> email.message.EmailMessage:
    with fichier.open("rb") as flux:
        return email.message_from_binary_file(flux, policy=email.policy.default)


def liste(request):
    fichiers = sorted(dossier().glob("*.eml"), reverse=True) if dossier().is_dir() else []
    courriels = []
    for fichier in fichiers[:AFFICHES]:
        message = _lire(fichier)
        courriels.append(
            {"nom": fichier.name, "sujet": message["subject"], "a": message["to"], "date": message["date"]}
        )
    return render(
        request, "commun/courriels_dev.html", {"courriels": courriels, "total": len(fichiers), "affiches": AFFICHES}
    )


def detail(request, nom: str):
    fichier = dossier() / nom
    if not fichier.is_file():
        raise Http404("Aucun courriel de ce nom.")
    message = _lire(fichier)
    corps = message.get_body(preferencelist=("plain", "html"))
    return render(
        request,
        "commun/courriel_dev.html",
        {"message": message, "corps": corps.get_content() if corps else "", "nom": nom},
    )
