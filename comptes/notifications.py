"""Notices to users: in-app rows and e-mails through the outbox (principle 6).

``notifier`` only writes rows, inside the caller's transaction; the e-mail rows are
sent by ``comptes.tasks.envoyer_emails`` (``comptes.envoi``) queued after commit, and by
the beat schedule every minute, so a broker outage delays a notice but never loses it.
A notice a rule requires (``obligatoire``) always goes out on both channels; an
informative one follows the recipient's preferences (channels, daily digest).
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from commun.ecriture import insert_rows
from comptes.models import Canal, Notification, Organisation, PreferencesNotification

logger = logging.getLogger(__name__)
HEURE_RECAPITULATIF = datetime.time(7, 0)


def prochain_recapitulatif(maintenant: datetime.datetime) -> datetime.datetime:
    """Next 07:00 Europe/Paris after ``maintenant``."""
    local = timezone.localtime(maintenant)
    jour = local.date() if local.time() < HEURE_RECAPITULATIF else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(jour, HEURE_RECAPITULATIF))


#: What a notice row holds besides the defaults (``lignes_de_notification``).
COLONNES = (
    "destinataire_id",
    "adresse",
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
    """The in-app and e-mail rows of a notice, not yet written: tuples of ``COLONNES`` (the
    deadline sweep writes tens of thousands at once). ``preferences`` (user id →
    ``PreferencesNotification``) only matters for an informative notice.

    A recipient is a user, or an e-mail address (a person without an account, such as a
    bénéficiaire asked to sign a document): an address gets the e-mail row only."""
    preferences = preferences or {}
    maintenant = maintenant or timezone.now()
    organisation_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    lignes = []
    for user in destinataires:
        if isinstance(user, str):
            lignes.append(
                (None, user, organisation_id, Canal.EMAIL, cle, sujet, corps, lien, obligatoire, False, maintenant)
            )
            continue
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
            lignes.append((user.pk, "", organisation_id, canal, cle, sujet, corps, lien, obligatoire, digest, due_le))
    return lignes


def ecrire_notifications(lignes: list[tuple]) -> None:
    """Write notice rows (``lignes_de_notification``) at once (a row already there for its
    recipient, channel and key is skipped: a notice is never sent twice) and queue the
    e-mail sender after commit."""
    if not lignes:
        return
    insert_rows(
        Notification, dict(zip(COLONNES, map(list, zip(*lignes, strict=True)), strict=True)), ignore_conflicts=True
    )
    transaction.on_commit(_planifier_envoi, robust=True)


def notifier_plusieurs(avis: list[dict]) -> None:
    """``notifier`` for many notices at once (each a dict of its arguments, with
    ``destinataires``): one query for the preferences, one INSERT."""
    avis = [dict(a, destinataires=list(a["destinataires"])) for a in avis]
    informatifs = {
        u.pk for a in avis if not a.get("obligatoire", True) for u in a["destinataires"] if not isinstance(u, str)
    }
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
