"""Who may act on a case, and the small helpers every action of the follow-up shares."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from comptes.models import Role
from prestations.models import Prestation

ROLES_PRESTATAIRE = (Role.REFERENT, Role.RESPONSABLE)


def aujourd_hui(le):
    """``le``, or today in Europe/Paris (principle 4)."""
    return le or timezone.localdate()


def verifier_acteur_prestataire(acteur, prestation: Prestation) -> None:
    """The référent of the case, or a responsable of its prestataire, acts on it
    (``PermissionDenied`` otherwise: a 403). Another prestataire never reaches this point:
    its querysets give a 404."""
    prestataire_id = prestation.lettre_de_commande.marche.prestataire_id
    if acteur.role not in ROLES_PRESTATAIRE or acteur.organisation.pk != prestataire_id:
        raise PermissionDenied("Seul le prestataire de la prestation peut faire cette action.")
    if acteur.role == Role.REFERENT and prestation.referent_id != acteur.user.pk:
        raise PermissionDenied("Vous n'êtes pas le référent de cette prestation ; demandez à votre responsable.")


def verifier_prescripteur(acteur, prestation: Prestation, message: str) -> None:
    """The prescripteur of the lettre de commande decides (``PermissionDenied`` otherwise)."""
    ldc = prestation.lettre_de_commande
    if acteur.role != Role.PRESCRIPTEUR or acteur.organisation.pk != ldc.organisation_prescriptrice_id:
        raise PermissionDenied(message)


def creer(modele, **champs):
    """A record of the case, validated by its model (``full_clean``) before it is saved."""
    objet = modele(**champs)
    objet.full_clean()
    objet.save()
    return objet
