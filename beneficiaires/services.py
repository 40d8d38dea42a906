"""Operations that change bénéficiaires (principle 1: the one path for HTML, API and admin)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from beneficiaires.models import ROLES_ECRITURE, Beneficiaire
from beneficiaires.normalisation import normaliser
from beneficiaires.validators import normaliser_identifiant_ft

#: Fields whose change calls for a new duplicate check.
CHAMPS_IDENTITE = ("nom", "prenom", "date_naissance", "identifiant_ft")
#: Fields the services never take from the caller.
CHAMPS_PROTEGES = {"id", "pk", "organisation", "cree_par", "cree_le", "modifie_le", "departement"}


class DoublonsPossibles(ValidationError):
    """The bénéficiaire may already exist; ``doublons`` lists the look-alikes the acteur can see."""

    def __init__(self, doublons):
        self.doublons = list(doublons)
        super().__init__(
            "Un bénéficiaire ressemblant existe déjà (même identifiant France Travail, ou mêmes nom, prénom "
            "et date de naissance). Vérifiez qu'il ne s'agit pas de la même personne, puis confirmez.",
            code="doublons",
        )


def doublons_possibles(acteur, nom, prenom, date_naissance, identifiant_ft, exclude_pk=None):
    """Bénéficiaires visible to ``acteur`` that may be the same person.

    Same identifiant France Travail, or same birth date and same first name and
    name (the name also compared with the birth name), without regard to accents,
    case, hyphens or extra spaces.
    """
    condition = Q()
    try:
        identifiant = normaliser_identifiant_ft(identifiant_ft)
    except ValidationError:
        identifiant = ""
    if identifiant:
        condition |= Q(identifiant_ft=identifiant)
    nom_n, prenom_n = normaliser(nom), normaliser(prenom)
    if nom_n and prenom_n and isinstance(date_naissance, date):
        condition |= Q(date_naissance=date_naissance, prenom_normalise=prenom_n) & (
            Q(nom_normalise=nom_n) | Q(nom_naissance_normalise=nom_n)
        )
    if not condition:
        return Beneficiaire.objects.none()
    queryset = Beneficiaire.objects.visible_par(acteur).filter(condition).select_related("commune")
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset


def _verifier_droit_ecriture(acteur):
    if acteur is None or acteur.role not in ROLES_ECRITURE:
        raise PermissionDenied("Seul un prescripteur peut créer ou modifier un bénéficiaire.")


def _appliquer(beneficiaire: Beneficiaire, data: Mapping) -> None:
    for champ, valeur in data.items():
        if champ in CHAMPS_PROTEGES:
            raise ValueError(f"Le champ « {champ} » ne se modifie pas.")
        setattr(beneficiaire, champ, valeur)


def _verifier_doublons(acteur, beneficiaire: Beneficiaire, confirmer_doublon: bool) -> None:
    if confirmer_doublon:
        return
    doublons = list(
        doublons_possibles(
            acteur,
            beneficiaire.nom,
            beneficiaire.prenom,
            beneficiaire.date_naissance,
            beneficiaire.identifiant_ft,
            exclude_pk=beneficiaire.pk,
        )
    )
    if doublons:
        raise DoublonsPossibles(doublons)


def creer_beneficiaire(acteur, data: Mapping, confirmer_doublon: bool = False) -> Beneficiaire:
    """Create a bénéficiaire for the acteur's organisation.

    Raises ``PermissionDenied`` for a role other than prescripteur (or
    administrateur), ``ValidationError`` (field → French messages) on bad data,
    and :class:`DoublonsPossibles` when look-alikes exist and ``confirmer_doublon``
    is false. Nothing is written in those cases.
    """
    _verifier_droit_ecriture(acteur)
    beneficiaire = Beneficiaire()
    _appliquer(beneficiaire, data)
    beneficiaire.organisation = acteur.organisation
    beneficiaire.cree_par = acteur.user
    beneficiaire.full_clean(exclude=["departement"])
    _verifier_doublons(acteur, beneficiaire, confirmer_doublon)
    with transaction.atomic(), pghistory.context(utilisateur=acteur.user.pk, organisation=acteur.organisation.pk):
        beneficiaire.save()
    return beneficiaire


def modifier_beneficiaire(acteur, beneficiaire: Beneficiaire, data: Mapping, confirmer_doublon=False) -> Beneficiaire:
    """Update a bénéficiaire visible to the acteur; same errors as :func:`creer_beneficiaire`.

    The duplicate check runs again only when the identity (name, first name,
    birth date, identifiant France Travail) changes.
    """
    _verifier_droit_ecriture(acteur)
    with transaction.atomic(), pghistory.context(utilisateur=acteur.user.pk, organisation=acteur.organisation.pk):
        stocke = Beneficiaire.objects.visible_par(acteur).select_for_update().filter(pk=beneficiaire.pk).first()
        if stocke is None:
            raise PermissionDenied("Ce bénéficiaire n'est pas dans votre périmètre.")
        avant = {champ: getattr(stocke, champ) for champ in CHAMPS_IDENTITE}
        _appliquer(beneficiaire, data)
        beneficiaire.full_clean(exclude=["departement"])
        if any(getattr(beneficiaire, champ) != valeur for champ, valeur in avant.items()):
            _verifier_doublons(acteur, beneficiaire, confirmer_doublon)
        beneficiaire.save()
    return beneficiaire
