"""E-mail backends and readers for the outbox tests (the worker processes load them by path).

``EchecBackend`` refuses every message, as an unreachable SMTP server would.
``LentBackend`` announces the message it is about to send (a ``envoi-en-cours-*`` file),
waits ``EMAIL_LENT_SECONDES`` (3 s by default) as a slow SMTP server would, then writes the
message to its own ``*.eml`` file: a worker killed during the wait has sent nothing.
``messages(dossier)`` reads what either this backend or Django's file backend wrote.
"""

from __future__ import annotations

import email
import email.policy
import os
import smtplib
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

SEPARATEUR = b"\n" + b"-" * 79 + b"\n"  # what django.core.mail.backends.filebased writes after each message


class EchecBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "Serveur SMTP injoignable (test)")


class LentBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        dossier = Path(settings.EMAIL_FILE_PATH)
        dossier.mkdir(parents=True, exist_ok=True)
        delai = float(os.environ.get("EMAIL_LENT_SECONDES", "3"))
        for message in email_messages:
            nom = uuid.uuid4().hex
            (dossier / f"envoi-en-cours-{os.getpid()}-{nom}").write_text(", ".join(message.to))
            time.sleep(delai)
            temporaire = dossier / f"{nom}.tmp"
            temporaire.write_bytes(message.message().as_bytes())
            temporaire.rename(dossier / f"{nom}.eml")  # atomic: a reader never sees half a message
        return len(email_messages)


def messages(dossier: Path) -> list[email.message.EmailMessage]:
    """Every message written in ``dossier`` (``*.eml`` files and Django's ``*.log`` files)."""
    lus = []
    for chemin in sorted(Path(dossier).glob("*.eml")):
        lus.append(email.message_from_bytes(chemin.read_bytes(), policy=email.policy.default))
    for chemin in sorted(Path(dossier).glob("*.log")):
        for brut in chemin.read_bytes().split(SEPARATEUR):
            if brut.strip():
                lus.append(email.message_from_bytes(brut, policy=email.policy.default))
    return lus


def par_destinataire(dossier: Path) -> dict[str, list[str]]:
    """Subjects received by each address (folded header whitespace normalised)."""
    recus: dict[str, list[str]] = {}
    for message in messages(dossier):
        for adresse in message["To"].addresses:
            recus.setdefault(adresse.addr_spec, []).append(" ".join(str(message["Subject"]).split()))
    return recus
