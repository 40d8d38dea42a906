"""What the workflow tests check on a case: its journal, its notices, and that a refused
action changed nothing (``refuse``)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from commun.exceptions import ActionRefusee
from comptes.models import Notification
from prestations.models import Evenement, Sortie
from tests.prestations.dossiers import recharger


def photo(prestation) -> dict:
    """Everything a refused action must leave as it was."""
    p = recharger(prestation)
    return {
        "prestation": (
            p.etat,
            p.phase,
            p.date_fin,
            p.contractualisee_le,
            p.contrat_signe,
            p.date_reprise,
            p.terminee_le,
            p.motif_fin,
            p.nombre_renouvellements,
        ),
        "entretiens": sorted(p.entretiens.values_list("pk", "debut", "phase", "presence", "toujours_en_emploi")),
        "suspensions": sorted(p.suspensions.values_list("pk", "motif", "debut", "fin")),
        "periodes": sorted(p.periodes_entreprise.values_list("pk", "debut", "fin")),
        "sortie": list(Sortie.objects.filter(prestation=p).values_list("type", "positive")),
        "renouvellements": p.renouvellements.count(),
        "actions": sorted(p.actions.values_list("pk", "nature", "libelle", "statut", "cout")),
        "journal": Evenement.objects.filter(lettre_de_commande=p.lettre_de_commande_id).count(),
        "notifications": Notification.objects.count(),
    }


@contextmanager
def refuse(prestation, exception=ActionRefusee, *, regle: str | None = None, champ: str | None = None):
    """The action inside is refused with ``exception`` and changes nothing."""
    avant = photo(prestation)
    with pytest.raises(exception) as info:
        yield info
    assert photo(prestation) == avant
    if regle is not None:
        assert regle in info.value.regle, info.value.message
    if champ is not None:
        assert champ in info.value.message_dict, info.value.message_dict


def journal(prestation, type_=None) -> list[Evenement]:
    """The case's journal entries (of ``type_`` only, if given), oldest first."""
    evenements = Evenement.objects.filter(lettre_de_commande=prestation.lettre_de_commande_id).order_by("pk")
    return list(evenements.filter(type=type_) if type_ else evenements)


def notifications_de(user, cle_fin: str):
    return Notification.objects.filter(destinataire=user, cle__endswith=cle_fin)
