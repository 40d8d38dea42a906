"""Notices about a case (``comptes.notifications``): who the person is, where the case
page is, and the prescripteur's notices, which the 48-hour rules read (MOV-05, MOV-06,
LIV-03: their key names the rule's échéance, ``echeances.notices``)."""

from __future__ import annotations

from django.urls import reverse

from comptes.notifications import notifier_plusieurs


def nom_beneficiaire(prestation) -> str:
    beneficiaire = prestation.lettre_de_commande.beneficiaire
    return f"{beneficiaire.prenom} {beneficiaire.nom}"


def lien(prestation) -> str:
    """The case page's address."""
    return reverse("prestations:prestation_detail", args=[prestation.pk])


def cle_du_dossier(prestation, cle: str) -> str:
    """The key of a case notice, unique per recipient (``Notification.cle``)."""
    return f"prestation:{prestation.pk}:{cle}"


def avis_prescripteur(prestation, *, cle, sujet, corps) -> dict:
    """A case notice to the lettre's prescripteur (``notifier`` arguments)."""
    ldc = prestation.lettre_de_commande
    return {
        "destinataires": [ldc.prescripteur],
        "cle": cle_du_dossier(prestation, cle),
        "organisation": ldc.organisation_prescriptrice,
        "sujet": f"{sujet} — {ldc.numero}",
        "corps": corps,
        "lien": lien(prestation),
    }


def notifier_prescripteur(prestation, **avis) -> None:
    notifier_plusieurs([avis_prescripteur(prestation, **avis)])
