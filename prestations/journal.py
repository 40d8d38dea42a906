"""The case journal (``Evenement``): the human timeline of a case, written by every part
of prestations (orders, follow-up, automatic ends) and read on the case page."""

from __future__ import annotations

from prestations.models import Evenement


def nouvel_evenement(type_, *, message, acteur=None, ldc=None, beneficiaire=None, **donnees) -> Evenement:
    """A journal entry, not yet written (``journaliser`` writes one; a batch writes many)."""
    return Evenement(
        type=type_,
        message=message,
        auteur=acteur.user if acteur else None,
        organisation=acteur.organisation if acteur else None,
        lettre_de_commande=ldc,
        beneficiaire=beneficiaire or (ldc.beneficiaire if ldc else None),
        donnees=donnees,
    )


def journaliser(type_, **champs) -> Evenement:
    evenement = nouvel_evenement(type_, **champs)
    evenement.save()
    return evenement
