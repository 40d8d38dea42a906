"""The prescripteur's notices the 48-hour rules read (MOV-05, MOV-06, LIV-03).

``notices_des_dossiers`` reads them for many cases in one query (on the outbox's unique
index: recipient, channel, key); ``honorer_a_l_envoi`` honours the 48-hour row as soon
as the e-mail is sent, at the time of sending, rather than at the next sweep.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from comptes.models import Canal, Notification
from prestations.avis import cle_du_dossier
from prestations.echeances.regles import HONOREES_PAR_L_ENVOI, NOTICES, Notice
from prestations.models import Echeance


def notices_des_dossiers(prestations) -> dict[int, dict[str, Notice]]:
    """Case id → the e-mail notices written to its lettre's prescripteur, by key (``NOTICES``)."""
    prestations = list(prestations)
    par_cle = {
        (p.lettre_de_commande.prescripteur_id, cle_du_dossier(p, cle)): (p.pk, cle)
        for p in prestations
        for cle in NOTICES
    }
    resultat: dict[int, dict[str, Notice]] = {p.pk: {} for p in prestations}
    if not par_cle:
        return resultat
    # One condition per prescripteur, each an exact range of the outbox's unique index
    # (recipient, channel, key): a single ``cle IN`` over all of them would make PostgreSQL
    # try every recipient with every key.
    par_destinataire = defaultdict(list)
    for destinataire_id, cle in par_cle:
        par_destinataire[destinataire_id].append(cle)
    condition = Q()
    for destinataire_id, cles in par_destinataire.items():
        condition |= Q(destinataire_id=destinataire_id, cle__in=cles)
    lues = Notification.objects.filter(condition, canal=Canal.EMAIL).values_list(
        "destinataire_id", "cle", "cree_le", "envoyee_le"
    )
    for destinataire_id, cle_complete, cree_le, envoyee_le in lues:
        trouvee = par_cle.get((destinataire_id, cle_complete))
        if trouvee is not None:
            prestation_id, cle = trouvee
            resultat[prestation_id][cle] = Notice(cree_le, envoyee_le)
    return resultat


def honorer_a_l_envoi(sender, notification, **kwargs) -> None:
    """MOV-06 / LIV-03: the notice to the prescripteur is sent; its 48-hour row is honoured
    at the time of sending (``comptes.envoi.notification_envoyee``). MOV-05's notice does
    not meet its rule (the signed contract's transmission does)."""
    prefixe, _, reste = notification.cle.partition(":")
    prestation_id, _, cle = reste.partition(":")
    if (
        prefixe != "prestation"
        or cle not in HONOREES_PAR_L_ENVOI
        or not prestation_id.isascii()
        or not prestation_id.isdigit()
    ):
        return
    with transaction.atomic():
        lignes = (
            Echeance.objects.ouvertes()
            .select_for_update()
            .filter(
                prestation_id=int(prestation_id),
                prestation__lettre_de_commande__prescripteur_id=notification.destinataire_id,
                type=NOTICES[cle],
                cle=cle,
            )
        )
        for ligne in lignes:
            ligne.honorer(notification.envoyee_le)
            ligne.save()
