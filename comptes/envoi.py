"""Sending the outbox's e-mails (principle 6): ``envoyer_emails_en_attente``, called by the
task ``comptes.tasks.envoyer_emails``.

Each row is claimed with ``SKIP LOCKED`` and marked sent in the transaction that holds it;
a failure is recorded and retried with a growing delay, up to ``MAX_TENTATIVES``.
``notification_envoyee`` tells other apps when a notice went out (the 48-hour rules of
the prestations are met at that moment).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from comptes.models import Notification

logger = logging.getLogger(__name__)
MAX_TENTATIVES = 5


def _lien_absolu(notification) -> str:
    return f"{settings.SITE_URL}{notification.lien}" if notification.lien else ""


def _envoyer(notification: Notification) -> None:
    lien = _lien_absolu(notification)
    send_mail(
        notification.sujet,
        notification.corps + (f"\n\n{lien}" if lien else ""),
        settings.DEFAULT_FROM_EMAIL,
        [notification.email],
    )


def _echec(lignes, exc, maintenant) -> None:
    for notification in lignes:
        notification.tentatives += 1
        notification.erreur = str(exc)[:2000]
        notification.abandonnee = notification.tentatives >= MAX_TENTATIVES
        notification.due_le = maintenant + datetime.timedelta(minutes=2**notification.tentatives)
        notification.save(update_fields=["tentatives", "erreur", "abandonnee", "due_le"])


def envoyer_emails_en_attente(limite: int = 100) -> int:
    """Send pending e-mail rows; each row is claimed with SKIP LOCKED and sent once.

    A row is marked sent in the same transaction that holds its lock, right after the
    SMTP call: a worker killed in between leaves the row pending (at-least-once at the
    SMTP level for that single row, never a lost notice)."""
    envoyees = 0
    for _ in range(limite):
        with transaction.atomic():
            maintenant = timezone.now()
            notification = (
                Notification.objects.email_a_envoyer()
                .filter(due_le__lte=maintenant)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("destinataire")
                .order_by("due_le", "pk")
                .first()
            )
            if notification is None:
                break
            if notification.digest:
                envoyees += _envoyer_recapitulatif(notification, maintenant)
                continue
            try:
                _envoyer(notification)
            except Exception as exc:  # noqa: BLE001 - any SMTP failure is recorded and retried
                _echec([notification], exc, maintenant)
                continue
            notification.tentatives += 1
            notification.envoyee_le = timezone.now()
            notification.erreur = ""
            notification.save(update_fields=["tentatives", "envoyee_le", "erreur"])
            _signaler_envoi(notification)
            envoyees += 1
    return envoyees


#: Sent with ``notification`` once an e-mail row is marked sent, in the transaction that
#: marks it: an app whose deadlines a notice meets (the 48-hour notices of the
#: prestations) records it at once instead of at its next deadline sweep.
notification_envoyee = Signal()


def _signaler_envoi(notification: Notification) -> None:
    """A receiver that fails is logged and leaves the sending as it is: the e-mail is gone,
    it must not be sent again (the deadline sweep re-checks the rows anyway). A receiver
    that writes does so in its own savepoint, so that its failure leaves the
    transaction usable."""
    for _receveur, resultat in notification_envoyee.send_robust(sender=Notification, notification=notification):
        if isinstance(resultat, Exception):
            logger.error("Après l'envoi de la notification %s : %s", notification.pk, resultat, exc_info=resultat)


def _envoyer_recapitulatif(premiere: Notification, maintenant) -> int:
    """The daily digest: every due digest row of the recipient in one e-mail."""
    lignes = list(
        Notification.objects.email_a_envoyer()
        .filter(destinataire=premiere.destinataire, digest=True, due_le__lte=maintenant)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("cree_le", "pk")
    )
    corps = "\n\n".join(f"• {n.sujet}\n{n.corps}" + (f"\n{_lien_absolu(n)}" if n.lien else "") for n in lignes)
    try:
        send_mail(
            f"Récapitulatif quotidien : {len(lignes)} avis",
            corps,
            settings.DEFAULT_FROM_EMAIL,
            [premiere.destinataire.email],
        )
    except Exception as exc:  # noqa: BLE001
        _echec(lignes, exc, maintenant)
        return 0
    envoyee = timezone.now()
    Notification.objects.filter(pk__in=[n.pk for n in lignes]).update(
        envoyee_le=envoyee, tentatives=F("tentatives") + 1, erreur=""
    )
    return 1
