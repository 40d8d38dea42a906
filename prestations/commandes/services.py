"""Prescription (PRE-01, PRE-02, MOV-04, PMA-03): each operation is guard → atomic → journal → notify."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from comptes.models import Membership, Role
from comptes.notifications import notifier
from prestations import dispositifs
from prestations.commandes.eligibilite import faits_eligibilite
from prestations.echeances.ecriture import synchroniser
from prestations.exceptions import BeneficiaireIneligible
from prestations.journal import journaliser
from prestations.models import (
    Etat,
    LettreDeCommande,
    Marche,
    Prestation,
    Reorientation,
    TypeEvenement,
)
from prestations.verrou import verrouiller


def verifier_prescripteur(acteur) -> None:
    """PRE-01: only a prescripteur issues a lettre de commande (``PermissionDenied``: a 403)."""
    if acteur.role != Role.PRESCRIPTEUR:
        raise PermissionDenied("Seul un prescripteur peut émettre une lettre de commande (PRE-01).")


def marche_hors_territoire(acteur, marche) -> str | None:
    """PRE-01: a prescripteur orders under the marchés covering a département of their
    organisation. The reason a marché is refused, or None."""
    if Marche.objects.visible_par(acteur).filter(pk=marche.pk).exists():
        return None
    return "Ce marché n'est pas disponible : il ne couvre aucun des départements de votre organisation (PRE-01)."


def dispositif_different(marche, dispositif) -> str | None:
    """The dispositif a prescripteur chose does not match the marché's: the reason, or None."""
    if not dispositif or dispositif == marche.dispositif:
        return None
    return (
        f"Le marché {marche.reference} porte sur le dispositif {marche.dispositif}, pas sur {dispositif} : "
        "choisissez un marché de ce dispositif."
    )


def verifier_prescription(
    acteur, *, beneficiaire, marche, date_debut, accord_beneficiaire, dispositif=None, aujourd_hui=None
):
    """PRE-01 and the dispositif's eligibility rules, without writing anything.

    Returns the rule set and the warnings (BCA-01). Raises ``ValidationError`` with
    field errors (marché outside the prescripteur's territory, inactive, of another
    dispositif than the one chosen or outside the bénéficiaire's département, missing
    agreement, start date) or ``BeneficiaireIneligible`` (PMA-01..03).
    """
    aujourd_hui = aujourd_hui or timezone.localdate()
    verifier_prescripteur(acteur)
    erreurs: dict[str, list[str]] = {}
    if not accord_beneficiaire:
        erreurs.setdefault("accord_beneficiaire", []).append(
            "L'accord du bénéficiaire doit être recueilli avant d'émettre la lettre de commande (PRE-01)."
        )
    if date_debut is None:
        erreurs.setdefault("date_debut", []).append("Indiquez la date de début de la prestation.")
    elif date_debut < aujourd_hui:
        erreurs.setdefault("date_debut", []).append("La date de début ne peut pas être dans le passé.")
    elif date_debut > aujourd_hui + datetime.timedelta(days=365):
        erreurs.setdefault("date_debut", []).append("La date de début doit être dans les douze prochains mois.")
    if marche is not None and (refus := marche_hors_territoire(acteur, marche)):
        erreurs.setdefault("marche", []).append(refus)
    elif marche is not None:
        if refus := dispositif_different(marche, dispositif):
            erreurs.setdefault("dispositif", []).append(refus)
        if not marche.actif:
            erreurs.setdefault("marche", []).append(f"Le marché {marche.reference} n'est pas actif (PRE-01).")
        elif date_debut and not marche.est_en_vigueur(date_debut):
            erreurs.setdefault("marche", []).append(
                f"Le marché {marche.reference} n'est pas en vigueur le {date_debut:%d/%m/%Y} "
                f"(du {marche.date_debut:%d/%m/%Y} au {marche.date_fin:%d/%m/%Y}) (PRE-01)."
            )
        if not marche.departements.filter(pk=beneficiaire.departement_id).exists():
            erreurs.setdefault("marche", []).append(
                f"Le marché {marche.reference} ne couvre pas le département du bénéficiaire "
                f"({beneficiaire.departement}) (PRE-01)."
            )
    else:
        erreurs.setdefault("marche", []).append("Choisissez le marché sous lequel la prestation est commandée.")
    if erreurs:
        raise ValidationError(erreurs)
    regle = dispositifs.regle_en_vigueur(marche.dispositif, date_debut)
    faits = faits_eligibilite(beneficiaire, date_debut)
    ineligibilites = regle.verifier_eligibilite(faits)
    if ineligibilites:
        raise BeneficiaireIneligible(ineligibilites)
    return regle, regle.avertissements(faits)


def _destinataires_prestataire(prestataire):
    """PRE-02: the prestataire's responsables receive the LdC (they designate the référent,
    MOV-04; a référent reaches a case once designated on it, ``comptes.acces``)."""
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=prestataire, role=Role.RESPONSABLE, active=True, user__is_active=True
        ).select_related("user")
    ]


def creer_lettre_de_commande(
    acteur, *, beneficiaire, marche, date_debut, accord_beneficiaire, motivation="", dispositif=None, aujourd_hui=None
) -> LettreDeCommande:
    """PRE-01 + PRE-02: issue the LdC, open its prestation, journal it and notify the prestataire.

    All or nothing: the LdC, the ``Prestation`` in its initial state, the journal entries
    and the notifications are written in one transaction.
    """
    regle, avertissements = verifier_prescription(
        acteur,
        beneficiaire=beneficiaire,
        marche=marche,
        date_debut=date_debut,
        accord_beneficiaire=accord_beneficiaire,
        dispositif=dispositif,
        aujourd_hui=aujourd_hui,
    )
    date_fin = regle.date_fin(date_debut, marche.duree_prestation_jours)
    with transaction.atomic():
        ldc = LettreDeCommande.objects.create(
            numero=f"TMP-{uuid.uuid4().hex[:12]}",  # replaced by the final number below
            beneficiaire=beneficiaire,
            marche=marche,
            organisation_prescriptrice=acteur.organisation,
            prescripteur=acteur.user,
            dispositif=regle.cle,
            regle_version=regle.version,
            date_debut=date_debut,
            date_fin=date_fin,
            accord_beneficiaire=True,
            accord_recueilli_le=timezone.now(),
            motivation=motivation.strip(),
            avertissements=[{"regle": a.regle, "message": a.message} for a in avertissements],
        )
        ldc.numero = f"LDC-{ldc.emise_le:%Y}-{ldc.pk:06d}"
        ldc.save(update_fields=["numero"])
        prestation = Prestation.objects.create(lettre_de_commande=ldc, date_debut=date_debut, date_fin=date_fin)
        synchroniser([prestation])
        journaliser(
            TypeEvenement.LDC_EMISE,
            acteur=acteur,
            ldc=ldc,
            message=f"Lettre de commande {ldc.numero} émise pour {regle.nom} "
            f"du {date_debut:%d/%m/%Y}" + (f" au {date_fin:%d/%m/%Y}" if date_fin else "") + ".",
            marche=marche.reference,
            regle=f"{regle.cle} {regle.version}",
            avertissements=ldc.avertissements,
        )
        destinataires = _destinataires_prestataire(marche.prestataire)
        notifier(
            destinataires,
            cle=f"ldc:{ldc.pk}:transmise",
            organisation=marche.prestataire,
            sujet=f"Nouvelle lettre de commande {ldc.numero} ({regle.cle})",
            corps=(
                f"{acteur.organisation.nom} vous adresse la lettre de commande {ldc.numero} : "
                f"{regle.nom} pour {beneficiaire.prenom} {beneficiaire.nom}, à partir du {date_debut:%d/%m/%Y}. "
                "Un responsable doit désigner le référent."
            ),
            lien=reverse("prestations:ldc_detail", args=[ldc.pk]),
        )
        journaliser(
            TypeEvenement.LDC_TRANSMISE,
            ldc=ldc,
            message=f"Transmise à {marche.prestataire.nom} ({len(destinataires)} destinataire(s) notifié(s)) (PRE-02).",
            destinataires=[u.email for u in destinataires],
        )
    return ldc


def designer_referent(acteur, prestation: Prestation, referent) -> Prestation:
    """MOV-04: one référent per prestation, designated by the prestataire's responsable;
    changing référent is possible and journaled. The référent reaches the case from then
    on (``comptes.acces``), the former one no longer."""
    prestataire = prestation.lettre_de_commande.marche.prestataire
    if acteur.role != Role.RESPONSABLE or acteur.organisation != prestataire:
        raise PermissionDenied("Seul un responsable du prestataire désigne le référent (MOV-04).")
    if not Membership.objects.filter(
        user=referent, organisation=prestataire, role__in=[Role.REFERENT, Role.RESPONSABLE], active=True
    ).exists():
        raise ValidationError({"referent": "Choisissez un référent de votre structure."})
    with verrouiller(prestation) as p:
        if p.referent_id == referent.pk:
            raise ValidationError({"referent": f"{referent} est déjà le référent de cette prestation."})
        ancien = p.referent
        if p.etat == Etat.ATTENTE_REFERENT:
            p.designer_premier_referent()
        p.referent = referent
        ldc = p.lettre_de_commande
        journaliser(
            TypeEvenement.REFERENT_CHANGE if ancien else TypeEvenement.REFERENT_DESIGNE,
            acteur=acteur,
            ldc=ldc,
            message=(f"Référent changé : {ancien} → {referent}." if ancien else f"{referent} désigné référent.")
            + " (MOV-04)",
            ancien=ancien.email if ancien else None,
            nouveau=referent.email,
        )
        notifier(
            [referent],
            cle=f"ldc:{ldc.pk}:referent:{referent.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
            organisation=prestataire,
            sujet=f"Vous êtes référent de la prestation {ldc.numero}",
            corps=f"{acteur.user} vous a désigné référent de la prestation {ldc.numero} "
            f"({ldc.dispositif}) pour {ldc.beneficiaire.prenom} {ldc.beneficiaire.nom}.",
            lien=reverse("prestations:prestation_detail", args=[p.pk]),
            obligatoire=False,
        )
    return p


def enregistrer_reorientation(
    acteur, *, beneficiaire, marche, ineligibilites, orientation, precision, accord_referent, nom_referent
) -> Reorientation:
    """PMA-03: record the re-orientation proposed instead of an LdC the rules refuse."""
    if acteur.role != Role.PRESCRIPTEUR:
        raise PermissionDenied("Seul un prescripteur enregistre une réorientation (PMA-03).")
    erreurs = {}
    if not accord_referent:
        erreurs["accord_referent"] = "La réorientation se fait avec l'accord du référent de parcours (PMA-03)."
    if not (nom_referent or "").strip():
        erreurs["nom_referent"] = "Indiquez le nom du référent de parcours qui a donné son accord."
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic():
        reorientation = Reorientation.objects.create(
            beneficiaire=beneficiaire,
            dispositif=marche.dispositif,
            marche=marche,
            motifs=[{"regle": i.regle, "code": i.code, "message": i.message} for i in ineligibilites],
            orientation=orientation,
            precision=precision.strip(),
            accord_referent=True,
            nom_referent=nom_referent.strip(),
            organisation=acteur.organisation,
            auteur=acteur.user,
        )
        journaliser(
            TypeEvenement.REORIENTATION,
            acteur=acteur,
            beneficiaire=beneficiaire,
            message=f"Réorienté vers {reorientation.get_orientation_display()} au lieu de {marche.dispositif} "
            f"(accord de {reorientation.nom_referent}) (PMA-03).",
            motifs=reorientation.motifs,
        )
    return reorientation


def marches_disponibles(acteur, beneficiaire, a_partir_du, dispositif=None):
    """Active marchés covering the bénéficiaire's département and not ended on ``a_partir_du``
    (a later start date may fall under a marché that starts later; PRE-01 checks the date)."""
    qs = (
        Marche.objects.visible_par(acteur)
        .filter(actif=True, date_fin__gte=a_partir_du)
        .couvrant(beneficiaire.departement_id)
        .select_related("prestataire", "financeur")
        .order_by("dispositif", "prestataire__nom")
    )
    if dispositif:
        qs = qs.filter(dispositif=dispositif)
    return qs
