"""Notices to users: in-app rows and e-mails through the outbox (principle 6).

``notifier`` only writes rows, inside the caller's transaction; the e-mail rows are
sent by ``comptes.tasks.envoyer_emails`` queued after commit, and by the beat
schedule every minute, so a broker outage delays a notice but never loses it.
A notice a rule requires (``obligatoire``) always goes out on both channels; an
informative one follows the recipient's preferences (channels, daily digest).
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

from comptes.models import Canal, Notification, Organisation, PreferencesNotification
from config.ecriture_en_masse import inserer_colonnes

logger = logging.getLogger(__name__)
MAX_TENTATIVES = 5
HEURE_RECAPITULATIF = datetime.time(7, 0)


def prochain_recapitulatif(maintenant: datetime.datetime) -> datetime.datetime:
    """Next 07:00 Europe/Paris after ``maintenant``."""
    local = timezone.localtime(maintenant)
    jour = local.date() if local.time() < HEURE_RECAPITULATIF else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(jour, HEURE_RECAPITULATIF))


#: What a notice row holds besides the defaults (``lignes_de_notification``).
COLONNES = (
    "destinataire_id",
    "organisation_id",
    "canal",
    "cle",
    "sujet",
    "corps",
    "lien",
    "obligatoire",
    "digest",
    "due_le",
)


def lignes_de_notification(
    destinataires,
    *,
    cle: str,
    sujet: str,
    corps: str,
    lien: str = "",
    organisation=None,
    obligatoire: bool = True,
    preferences: dict | None = None,
    maintenant: datetime.datetime | None = None,
) -> list[tuple]:
    """The in-app and e-mail rows of a notice, not yet written: tuples of ``COLONNES``
    (the outbox takes thousands of them at once from the deadline sweep: no model
    instance each). ``preferences`` (user id → ``PreferencesNotification``) only matters
    for an informative notice."""
    preferences = preferences or {}
    maintenant = maintenant or timezone.now()
    organisation_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    lignes = []
    for user in destinataires:
        pref = preferences.get(user.pk)
        for canal in (Canal.IN_APP, Canal.EMAIL):
            digest = False
            if not obligatoire and pref is not None:
                if canal == Canal.IN_APP and not pref.in_app_informatif:
                    continue
                if canal == Canal.EMAIL and not pref.email_informatif:
                    continue
                digest = canal == Canal.EMAIL and pref.recapitulatif_quotidien
            due_le = prochain_recapitulatif(maintenant) if digest else maintenant
            lignes.append((user.pk, organisation_id, canal, cle, sujet, corps, lien, obligatoire, digest, due_le))
    return lignes


def ecrire_notifications(lignes: list[tuple]) -> None:
    """Write notice rows (``lignes_de_notification``) in one INSERT (a row already there
    for its recipient, channel and key is skipped) and queue the e-mail sender after
    commit."""
    if not lignes:
        return
    colonnes = zip(*lignes, strict=True)  # row tuples → one tuple per column
    inserer_colonnes(Notification, dict(zip(COLONNES, colonnes, strict=True)), ignorer_conflits=True)
    transaction.on_commit(_planifier_envoi, robust=True)


def notifier_plusieurs(avis: list[dict]) -> None:
    """``notifier`` for many notices at once (each a dict of its arguments, with
    ``destinataires``): one query for the preferences, one INSERT."""
    avis = [dict(a, destinataires=list(a["destinataires"])) for a in avis]
    informatifs = {u.pk for a in avis if not a.get("obligatoire", True) for u in a["destinataires"]}
    preferences = (
        {p.user_id: p for p in PreferencesNotification.objects.filter(user__in=informatifs)} if informatifs else {}
    )
    maintenant = timezone.now()
    lignes = [
        ligne
        for a in avis
        for ligne in lignes_de_notification(a.pop("destinataires"), preferences=preferences, maintenant=maintenant, **a)
    ]
    ecrire_notifications(lignes)


def notifier(destinataires, **avis) -> None:
    """Write the in-app and e-mail rows of a notice; idempotent on ``cle`` per recipient.

    Arguments: ``cle``, ``sujet``, ``corps``, ``lien``, ``organisation``, ``obligatoire``
    (see ``lignes_de_notification``)."""
    notifier_plusieurs([dict(avis, destinataires=destinataires)])


def _planifier_envoi():
    from comptes.tasks import envoyer_emails

    try:
        envoyer_emails.delay()
    except Exception:  # broker down: the beat schedule will send them later
        logger.warning("Broker unreachable; e-mails stay in the outbox until the next sweep.", exc_info=True)


def _lien_absolu(notification) -> str:
    return f"{settings.SITE_URL}{notification.lien}" if notification.lien else ""


def _envoyer(notification: Notification) -> None:
    lien = _lien_absolu(notification)
    send_mail(
        notification.sujet,
        notification.corps + (f"\n\n{lien}" if lien else ""),
        settings.DEFAULT_FROM_EMAIL,
        [notification.destinataire.email],
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
