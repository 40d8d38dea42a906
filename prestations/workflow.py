"""The prestation workflow run by the référent (issue 4): one function per action.

Each function is guard → atomic (row lock on the prestation) → journal → notify, and
is the only path for its change of state: HTML views, API actions and the deadline
engine call it and translate its errors (``ActionRefusee`` → message / 409,
``ValidationError`` → field errors / 400, ``PermissionDenied`` → 403).
Every date parameter ``le`` defaults to today in Europe/Paris (principle 4).
"""

from __future__ import annotations

import datetime
import functools
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import get_urlconf, reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from commun.exceptions import ActionRefusee
from comptes.models import Role
from comptes.notifications import notifier, notifier_plusieurs
from config.ecriture_en_masse import inserer
from prestations import faits
from prestations.models import (
    ActionParcours,
    Entretien,
    Etat,
    Evenement,
    PeriodeEnEntreprise,
    Prestation,
    Renouvellement,
    SessionCollective,
    Sortie,
    Suspension,
    TypeEntretien,
    TypeEvenement,
)
from prestations.services import journaliser, nouvel_evenement
from prestations.sorties import FaitsSortie, TypeSortie, classer_sortie

ROLES_PRESTATAIRE = (Role.REFERENT, Role.RESPONSABLE)
TYPES_INTERRUPTION = (TypeSortie.ABANDON, TypeSortie.EXCLUSION, TypeSortie.REORIENTATION, TypeSortie.INTERRUPTION)


def _aujourd_hui(le):
    return le or timezone.localdate()


def verifier_acteur_prestataire(acteur, prestation: Prestation) -> None:
    """The référent of the case, or a responsable of its prestataire, acts on it.

    Another prestataire never reaches this point (its querysets give a 404)."""
    prestataire_id = prestation.lettre_de_commande.marche.prestataire_id
    if acteur.role not in ROLES_PRESTATAIRE or acteur.organisation.pk != prestataire_id:
        raise PermissionDenied("Seul le prestataire de la prestation peut faire cette action.")
    if acteur.role == Role.REFERENT and prestation.referent_id != acteur.user.pk:
        raise PermissionDenied("Vous n'êtes pas le référent de cette prestation ; demandez à votre responsable.")


@contextmanager
def _verrou(prestation: Prestation, maintenant: datetime.datetime | None = None):
    """Lock the case row for the action; a concurrent change becomes a clear conflict.
    The case's échéances are then rewritten as of ``maintenant`` (now by default; the
    deadline engine passes the moment it sweeps, which a replay sets)."""
    with transaction.atomic():
        verrouillee = faits.charger(
            Prestation.objects.select_for_update(of=("self",)).select_related(
                "lettre_de_commande__marche__prestataire",
                "lettre_de_commande__beneficiaire",
                "lettre_de_commande__prescripteur",
            )
        ).get(pk=prestation.pk)
        # The caller's copy must still be what the user saw: a concurrent transition (or
        # a double submission) that changed the state or the phase is a clear conflict.
        if verrouillee.etat != prestation.etat or verrouillee.phase != prestation.phase:
            raise ActionRefusee("La prestation a changé d'état entre-temps ; rechargez la page.")
        try:
            yield verrouillee
        except TransitionNotAllowed:
            raise ActionRefusee(f"Action impossible dans l'état « {verrouillee.get_etat_display()} ».") from None
        except ConcurrentTransition:
            raise ActionRefusee("La prestation a été modifiée en même temps ; rechargez la page.") from None
        verrouillee.save()
        actualiser_echeances(verrouillee, maintenant)


def actualiser_echeances(prestation: Prestation, maintenant=None) -> None:
    """Rewrite the case's échéance rows from its current data (principle 3), and the
    denormalised next deadline the lists sort on."""
    from prestations import echeances

    prestation._prefetched_objects_cache = {}
    lignes = echeances.synchroniser(prestation, maintenant)
    prestation.prochaine_echeance, prestation.prochaine_echeance_libelle = echeances.prochaine_echeance(lignes)
    Prestation.objects.filter(pk=prestation.pk).update(
        prochaine_echeance=prestation.prochaine_echeance,
        prochaine_echeance_libelle=prestation.prochaine_echeance_libelle,
    )


_REPERE = 987654321987


@functools.lru_cache(maxsize=8)
def _modele_de_lien(urlconf) -> str:
    return reverse("prestations:prestation_detail", args=[_REPERE], urlconf=urlconf)


def lien(prestation) -> str:
    """The case page's address: resolved once, the case's id put in (the deadline engine
    writes thousands of notices at midnight, each with its link)."""
    return _modele_de_lien(get_urlconf()).replace(str(_REPERE), str(prestation.pk))


def _avis_prescripteur(prestation, *, cle, sujet, corps) -> dict:
    """A case notice to the lettre's prescripteur (``notifier`` arguments)."""
    ldc = prestation.lettre_de_commande
    return {
        "destinataires": [ldc.prescripteur],
        "cle": f"prestation:{prestation.pk}:{cle}",
        "organisation": ldc.organisation_prescriptrice,
        "sujet": f"{sujet} — {ldc.numero}",
        "corps": corps,
        "lien": lien(prestation),
    }


def _notifier_prescripteur(prestation, **avis):
    notifier_plusieurs([_avis_prescripteur(prestation, **avis)])


def _nom(prestation):
    b = prestation.lettre_de_commande.beneficiaire
    return f"{b.prenom} {b.nom}"


def _creer(modele, **champs):
    objet = modele(**champs)
    objet.full_clean()
    objet.save()
    return objet


# --- Contractualisation (MOV-03, MOV-05, MOV-06) ---------------------------------


def contractualiser(
    acteur, prestation, *, debut, duree_minutes, modalite, signe: bool, compte_rendu="", phase=None, le=None
):
    """Record the contractualisation entretien and the contrat d'accompagnement.

    Signed (MOV-05): the prestation starts in the first working phase and the
    prescripteur is sent the copy within 48 hours. Not signed (MOV-06): the prescripteur
    is informed and the prestation ends as *refusée*. The 7-day delay (MOV-03) is not a
    block: a late contractualisation is recorded and shown as such.

    ``phase``: for a rule set whose phases are not ordered (CEP-01: niveau 1 and niveau 2
    can each be delivered alone), the phase the accompaniment opens with; ignored otherwise.
    """
    verifier_acteur_prestataire(acteur, prestation)
    regle = prestation.regle
    premiere = regle.phases[0].cle
    if phase and not regle.phases_ordonnees:
        if phase not in regle.cles_phases:
            raise ValidationError({"phase": "Choisissez une phase de ce dispositif."})
        premiere = phase
    with _verrou(prestation) as p:
        if p.etat != Etat.A_CONTRACTUALISER:
            raise ActionRefusee("La contractualisation est déjà enregistrée.", "MOV-05")
        jour = timezone.localtime(debut).date()
        p.contractualisee_le = jour  # lets the entretien validate against the case
        entretien = _creer(
            Entretien,
            prestation=p,
            debut=debut,
            duree_minutes=duree_minutes,
            type=TypeEntretien.INDIVIDUEL,
            modalite=modalite,
            phase=premiere,
            compte_rendu=compte_rendu,
            auteur=acteur.user,
        )
        delai = regle.delai_contractualisation
        retard = delai is not None and delai.est_depasse(p.date_debut, jour)
        mention = (
            f" hors délai ({delai.regle} : au plus tard le {delai.date_limite(p.date_debut):%d/%m/%Y})"
            if retard
            else ""
        )
        if signe:
            suivante = regle.phase_suivante(premiere) if regle.phase(premiere).close_par_la_signature else None
            p.contractualiser(jour, (suivante.cle if suivante else premiere))
            journaliser(
                TypeEvenement.CONTRACTUALISATION,
                acteur=acteur,
                ldc=p.lettre_de_commande,
                message=f"Contrat d'accompagnement signé le {jour:%d/%m/%Y}{mention} (MOV-05).",
                entretien=entretien.pk,
                hors_delai=retard,
            )
            _notifier_prescripteur(
                p,
                cle="contrat_signe",
                sujet="Contrat d'accompagnement signé",
                corps=f"Le contrat d'accompagnement de {_nom(p)} a été signé le {jour:%d/%m/%Y}{mention}. "
                "Sa copie vous est transmise (MOV-05).",
            )
        else:
            p.refuser(jour)
            _creer(
                Sortie,
                prestation=p,
                type=TypeSortie.REFUS,
                date_sortie=jour,
                motif=compte_rendu,
                positive=False,
                regle="SOR-04",
                explication="Le bénéficiaire n'a pas signé le contrat d'accompagnement (MOV-06).",
                auteur=acteur.user,
            )
            journaliser(
                TypeEvenement.REFUS_CONTRAT,
                acteur=acteur,
                ldc=p.lettre_de_commande,
                message=f"Le bénéficiaire n'a pas signé le contrat le {jour:%d/%m/%Y} : prestation refusée (MOV-06).",
            )
            _notifier_prescripteur(
                p,
                cle="contrat_refuse",
                sujet="Contrat d'accompagnement non signé",
                corps=f"{_nom(p)} n'a pas signé le contrat d'accompagnement le {jour:%d/%m/%Y}. "
                "La prestation prend fin comme refusée (MOV-06).",
            )
    return p


# --- Entretiens -------------------------------------------------------------------


def enregistrer_entretien(
    acteur,
    prestation,
    *,
    debut,
    duree_minutes,
    type=TypeEntretien.INDIVIDUEL,
    modalite,
    presence,
    phase="",
    compte_rendu="",
    toujours_en_emploi=None,
    session=None,
):
    """Log an entretien that took place (EMA-01 attendance). Past or today, never future."""
    verifier_acteur_prestataire(acteur, prestation)
    with _verrou(prestation) as p:
        if p.etat not in (Etat.EN_COURS, Etat.SUIVI_EMPLOI):
            raise ActionRefusee(
                f"On ne saisit pas d'entretien sur une prestation « {p.get_etat_display().lower()} »."
                + (" Enregistrez d'abord la contractualisation." if p.etat == Etat.A_CONTRACTUALISER else "")
            )
        phase = phase or p.phase
        atteintes = {ph.cle for ph in faits.progression_phases(p) if ph.atteinte}
        if phase not in atteintes:
            raise ValidationError({"phase": "Cette phase n'a pas encore commencé."})
        if p.etat == Etat.SUIVI_EMPLOI and toujours_en_emploi is None:
            raise ValidationError(
                {"toujours_en_emploi": "Indiquez si la personne est toujours en emploi ou en formation (MOV-13)."}
            )
        if p.etat == Etat.EN_COURS and toujours_en_emploi is not None:
            raise ValidationError({"toujours_en_emploi": "Ne concerne que le suivi dans l'emploi (MOV-13)."})
        entretien = _creer(
            Entretien,
            prestation=p,
            debut=debut,
            duree_minutes=duree_minutes,
            type=type,
            modalite=modalite,
            presence=presence,
            phase=phase,
            compte_rendu=compte_rendu,
            toujours_en_emploi=toujours_en_emploi,
            session=session,
            auteur=acteur.user,
        )
        journaliser(
            TypeEvenement.ENTRETIEN,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Entretien {entretien.get_type_display().lower()} {entretien.get_modalite_display().lower()} "
            f"du {timezone.localtime(debut):%d/%m/%Y à %H:%M} ({duree_minutes} min) — "
            f"{entretien.get_presence_display().lower()}.",
            entretien=entretien.pk,
        )
    return entretien


# --- Phases (BCA-02, BAM-02, CEP-01) ------------------------------------------------


def passer_phase(acteur, prestation, cible: str | None = None):
    """Move to the next phase when the rule set allows it: ordered dispositifs go to the
    next phase once the current one has its minimum of individual entretiens (BCA-02,
    BAM-03); CEP levels may be taken in any order (CEP-01)."""
    verifier_acteur_prestataire(acteur, prestation)
    regle = prestation.regle
    with _verrou(prestation) as p:
        if p.etat != Etat.EN_COURS:
            raise ActionRefusee("Le changement de phase se fait sur une prestation en cours.")
        progression = {ph.cle: ph for ph in faits.progression_phases(p)}
        courante = progression[p.phase]
        if regle.phases_ordonnees:
            suivante = regle.phase_suivante(p.phase)
            if suivante is None or not suivante.obligatoire:
                raise ActionRefusee("C'est la dernière phase : enregistrez la sortie pour terminer la prestation.")
            if cible and cible != suivante.cle:
                raise ActionRefusee(f"Les phases se suivent dans l'ordre : la prochaine est « {suivante.libelle} ».")
            cible = suivante.cle
            if not courante.complete:
                raise ActionRefusee(
                    f"La phase « {courante.libelle} » demande au moins {courante.minimum} entretien(s) individuel(s) "
                    f"avec le référent ({courante.entretiens} tenu(s)) avant de passer à la suivante "
                    f"({', '.join(regle.phase(p.phase).regles) or regle.cle}).",
                    ", ".join(regle.phase(p.phase).regles),
                )
        else:
            # CEP-01: any other level of the rule set (an unknown key is a field error, not a 500).
            if not cible or cible == p.phase or cible not in regle.cles_phases:
                raise ValidationError({"cible": "Choisissez une autre phase de ce dispositif."})
        ancienne = regle.phase(p.phase).libelle
        p.passer_phase(cible)
        journaliser(
            TypeEvenement.PHASE,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Passage de « {ancienne} » à « {regle.phase(cible).libelle} ».",
            phase=cible,
        )
    return p


def terminer_apres_phase(acteur, prestation, motif: str, le=None):
    """BAM-02: end right after a phase that allows it (no mobility barrier, driving licence
    only through a standard school), once that phase has its entretien."""
    verifier_acteur_prestataire(acteur, prestation)
    le = _aujourd_hui(le)
    with _verrou(prestation) as p:
        phase = p.regle.phase(p.phase) if p.phase else None
        motifs = dict(phase.motifs_fin_anticipee) if phase else {}
        if p.etat != Etat.EN_COURS or not motifs:
            raise ActionRefusee("Cette phase ne permet pas de terminer la prestation par anticipation.", "BAM-02")
        if motif not in motifs:
            raise ValidationError({"motif": "Choisissez l'un des motifs prévus."})
        if not faits.progression_phases(p)[[x.cle for x in p.regle.phases].index(p.phase)].complete:
            raise ActionRefusee(f"La phase « {phase.libelle} » doit d'abord avoir son entretien.", "BAM-02")
        p.terminer(le, motif)
        # Every end is a sortie (SOR-04: a distinct, reportable reason), this one too.
        Sortie.objects.create(
            prestation=p,
            type=TypeSortie.FIN_ANTICIPEE,
            date_sortie=le,
            positive=False,
            regle="BAM-02",
            explication=f"Fin après « {phase.libelle} » : {motifs[motif]} (BAM-02).",
            motif=motifs[motif],
            auteur=acteur.user,
        )
        journaliser(
            TypeEvenement.FIN_ANTICIPEE,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Fin après « {phase.libelle} » : {motifs[motif]} (BAM-02).",
        )
        _notifier_prescripteur(
            p,
            cle="fin",
            sujet="Fin de la prestation",
            corps=f"La prestation de {_nom(p)} se termine : {motifs[motif]}.",
        )
    return p


# --- Suspensions (MOV-07, MOV-09) ---------------------------------------------------


def declarer_suspension(acteur, prestation, *, motif, debut, fin, commentaire=""):
    """MOV-09: illness up to 14 consecutive days, leave up to 35 days in total; the end
    date of the prestation does not move (MOV-07)."""
    verifier_acteur_prestataire(acteur, prestation)
    with _verrou(prestation) as p:
        if p.etat != Etat.EN_COURS:
            raise ActionRefusee("Une suspension se déclare sur une prestation en cours.", "MOV-09")
        if p.regle.suspension is None:  # MOV-09 is a rule of the rule set, not of every dispositif
            raise ActionRefusee(f"Le dispositif {p.regle.cle} ne prévoit pas de suspension.", "MOV-09")
        suspension = _creer(
            Suspension, prestation=p, motif=motif, debut=debut, fin=fin, commentaire=commentaire, auteur=acteur.user
        )
        journaliser(
            TypeEvenement.SUSPENSION,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Suspension ({suspension.get_motif_display().lower()}) du {debut:%d/%m/%Y} au {fin:%d/%m/%Y}, "
            f"{suspension.jours} jour(s), sans report de la date de fin (MOV-09).",
        )
    return suspension


def mettre_fin_suspension(acteur, suspension: Suspension, fin: datetime.date):
    """End a suspension earlier than declared; the prestation resumes for the remaining time."""
    # The case as it is now, not the copy cached on the suspension (it may predate a phase change).
    prestation = Prestation.objects.get(pk=suspension.prestation_id)
    verifier_acteur_prestataire(acteur, prestation)
    with _verrou(prestation) as p:
        if p.etat != Etat.EN_COURS:  # MOV-09: a closed case is not edited any more
            raise ActionRefusee("Une suspension se modifie sur une prestation en cours.", "MOV-09")
        suspension = p.suspensions.get(pk=suspension.pk)
        if fin < suspension.debut or fin >= suspension.fin:
            raise ValidationError(
                {
                    "fin": f"La nouvelle fin doit être entre le {suspension.debut:%d/%m/%Y} "
                    f"et le {suspension.fin:%d/%m/%Y}."
                }
            )
        suspension.fin = fin
        suspension.full_clean()
        suspension.save()
        journaliser(
            TypeEvenement.FIN_SUSPENSION,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Fin de la suspension avancée au {fin:%d/%m/%Y} : la prestation reprend pour le temps restant.",
        )
    return suspension


# --- Périodes en entreprise (MOV-12) -------------------------------------------------


def enregistrer_periode_entreprise(acteur, prestation, **champs):
    verifier_acteur_prestataire(acteur, prestation)
    with _verrou(prestation) as p:
        if p.etat != Etat.EN_COURS:
            raise ActionRefusee("Une période en entreprise s'enregistre sur une prestation en cours.", "MOV-12")
        regle_pe = p.regle.periode_entreprise
        if regle_pe is None:  # MOV-12 is a rule of the rule set, not of every dispositif
            raise ActionRefusee(f"Le dispositif {p.regle.cle} ne prévoit pas de période en entreprise.", "MOV-12")
        cles = list(p.regle.cles_phases)
        limite = regle_pe.avant_fin_de_phase
        if limite in cles and p.phase in cles and cles.index(p.phase) > cles.index(limite):
            raise ActionRefusee(
                f"La période en entreprise a lieu avant la fin de « {p.regle.phase(limite).libelle} » (MOV-12).",
                "MOV-12",
            )
        periode = _creer(PeriodeEnEntreprise, prestation=p, auteur=acteur.user, **champs)
        journaliser(
            TypeEvenement.PERIODE_ENTREPRISE,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Période en entreprise chez {periode.entreprise} du {periode.debut:%d/%m/%Y} au "
            f"{periode.fin:%d/%m/%Y} (tuteur : {periode.tuteur}) (MOV-12).",
        )
    return periode


# --- Sorties and interruptions (SOR-01..04, PMA-04, MOV-13) -------------------------


def _faits_sortie(type_sortie, date_sortie, champs) -> FaitsSortie:
    connus = {k: v for k, v in champs.items() if k in FaitsSortie.__dataclass_fields__}
    return FaitsSortie(type_sortie=type_sortie, date_sortie=date_sortie, **connus)


def enregistrer_sortie(acteur, prestation, *, type, date_sortie, le=None, **champs):
    """Record the outcome and classify it (SOR-01..03). A positive job or training outcome
    of a dispositif with follow-up opens the 3-month suivi dans l'emploi (MOV-13)."""
    verifier_acteur_prestataire(acteur, prestation)
    le = _aujourd_hui(le)
    champs = {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in champs.items()}
    if type in TYPES_INTERRUPTION or type in (TypeSortie.REFUS, TypeSortie.INTERRUPTION_ECART_ENTRETIENS):
        raise ValidationError({"type": "Ce motif passe par l'interruption de la prestation."})
    if type == TypeSortie.FIN_ANTICIPEE:
        raise ValidationError({"type": "Cette fin passe par la fin après la phase (BAM-02)."})
    with _verrou(prestation) as p:
        if p.etat != Etat.EN_COURS:
            raise ActionRefusee("La sortie s'enregistre sur une prestation en cours.")
        if date_sortie is None or date_sortie > le:
            raise ValidationError({"date_sortie": "La date de sortie ne peut pas être future."})
        if date_sortie < (p.contractualisee_le or p.date_debut):
            raise ValidationError({"date_sortie": "La date de sortie précède le début de la prestation."})
        if type == TypeSortie.TERME_SANS_EMPLOI and p.date_fin and le < p.date_fin:
            raise ActionRefusee(f"Le terme n'est atteint que le {p.date_fin:%d/%m/%Y}.", "SOR-04")
        classement = classer_sortie(_faits_sortie(type, date_sortie, champs))
        sortie = _creer(
            Sortie,
            prestation=p,
            type=type,
            date_sortie=date_sortie,
            positive=classement.positive,
            categorie=classement.categorie or "",
            regle=classement.regle,
            explication=classement.explication,
            auteur=acteur.user,
            **{k: v for k, v in champs.items() if v is not None},
        )
        suivi = p.regle.suivi_emploi
        if classement.positive and suivi and classement.categorie in suivi.sorties:
            p.entrer_en_suivi(date_sortie, suivi.phase)
            suite = f" Suivi dans l'emploi jusqu'au {suivi.date_fin(date_sortie):%d/%m/%Y} (MOV-13)."
        else:
            p.terminer(date_sortie, type)
            suite = ""
        journaliser(
            TypeEvenement.SORTIE,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Sortie : {sortie.get_type_display()} le {date_sortie:%d/%m/%Y} — "
            f"{'positive' if sortie.positive else 'non positive'} ({sortie.regle}).{suite}",
            positive=sortie.positive,
        )
        _notifier_prescripteur(
            p,
            cle="sortie",
            sujet="Sortie de la prestation",
            corps=f"{_nom(p)} : {sortie.get_type_display().lower()} le {date_sortie:%d/%m/%Y}. "
            f"{sortie.explication}{suite}",
        )
    return sortie


def interrompre(
    acteur,
    prestation,
    *,
    type,
    motif,
    date_sortie=None,
    consultation_referent=False,
    consultation_financeur=False,
    le=None,
):
    """Interrupt before term: abandon, exclusion (PMA-04: after consultation of the référent
    or the financeur, as the rule set says), re-orientation or another reason (SOR-04).
    The prescripteur is informed (LIV-03: within 48 hours)."""
    verifier_acteur_prestataire(acteur, prestation)
    le = _aujourd_hui(le)
    date_sortie = date_sortie or le
    if type not in TYPES_INTERRUPTION:
        raise ValidationError({"type": "Choisissez le motif de l'interruption."})
    if not (motif or "").strip():
        raise ValidationError({"motif": "Expliquez la raison de l'interruption."})
    if date_sortie > le:
        raise ValidationError({"date_sortie": "La date ne peut pas être future."})
    with _verrou(prestation) as p:
        if date_sortie < (p.contractualisee_le or p.date_debut):  # SOR-04: as enregistrer_sortie
            raise ValidationError({"date_sortie": "La date précède le début de la prestation."})
        exclusion = p.regle.exclusion
        if type == TypeSortie.EXCLUSION:
            if exclusion is None:
                raise ActionRefusee(f"Le dispositif {p.regle.cle} ne prévoit pas d'exclusion.", "PMA-04")
            consultees = {"referent": consultation_referent, "financeur": consultation_financeur}
            faites = [c for c in exclusion.consultation if consultees.get(c)]
            requis = 1 if exclusion.au_moins_un else len(exclusion.consultation)
            if len(faites) < requis:
                raise ValidationError(
                    {
                        "consultation_financeur": "L'exclusion se décide après consultation du référent ou du "
                        f"financeur ({exclusion.regle})."
                    }
                )
        p.interrompre(date_sortie, type)
        sortie = _creer(
            Sortie,
            prestation=p,
            type=type,
            date_sortie=date_sortie,
            motif=motif.strip(),
            consultation_referent=consultation_referent,
            consultation_financeur=consultation_financeur,
            positive=False,
            regle="SOR-04",
            explication=f"{TypeSortie(type).label} : sortie non positive (SOR-04).",
            auteur=acteur.user,
        )
        journaliser(
            TypeEvenement.INTERRUPTION,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Prestation interrompue le {date_sortie:%d/%m/%Y} : {sortie.get_type_display()} — {sortie.motif}",
        )
        _notifier_prescripteur(
            p,
            cle="interruption",
            sujet="Interruption de la prestation",
            corps=f"La prestation de {_nom(p)} est interrompue le {date_sortie:%d/%m/%Y} : "
            f"{sortie.get_type_display().lower()} ({sortie.motif}). "
            "Les livrables des phases réalisées suivent (LIV-03).",
        )
    return sortie


def clore_suivi(acteur, prestation, le=None):
    """MOV-13: close the follow-up after its 3 months, or earlier once the person is
    recorded as no longer in the job or training."""
    verifier_acteur_prestataire(acteur, prestation)
    le = _aujourd_hui(le)
    with _verrou(prestation) as p:
        if p.etat != Etat.SUIVI_EMPLOI:
            raise ActionRefusee("Il n'y a pas de suivi dans l'emploi en cours.", "MOV-13")
        fin_suivi = p.regle.suivi_emploi.date_fin(p.date_reprise)
        dernier = next(
            iter(
                sorted(
                    (e for e in p.entretiens.all() if e.toujours_en_emploi is not None),
                    key=lambda e: e.debut,
                    reverse=True,
                )
            ),
            None,
        )
        perdu = dernier is not None and dernier.toujours_en_emploi is False
        if le <= fin_suivi and not perdu:
            raise ActionRefusee(f"Le suivi dans l'emploi court jusqu'au {fin_suivi:%d/%m/%Y}.", "MOV-13")
        p.terminer(le, "suivi_clos")
        journaliser(
            TypeEvenement.SUIVI_CLOS,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message="Suivi dans l'emploi clos : "
            + ("la personne n'est plus en poste." if perdu else "3 mois écoulés."),
            maintien=not perdu,
        )
    return p


# --- Renewal (MOV-08) ---------------------------------------------------------------

JOURS_AVANT_TERME_POUR_RENOUVELER = 30


def renouveler(acteur, prestation, *, motif, le=None):
    """MOV-08: at term, the prescripteur (never the référent) renews once, for 6 months.

    "At term" is read as the last 30 days before the end date, the end date included."""
    le = _aujourd_hui(le)
    ldc = prestation.lettre_de_commande
    if acteur.role != Role.PRESCRIPTEUR or acteur.organisation.pk != ldc.organisation_prescriptrice_id:
        raise PermissionDenied("Seul le prescripteur décide du renouvellement (MOV-08).")
    if not (motif or "").strip():
        raise ValidationError({"motif": "Motivez le renouvellement."})
    with _verrou(prestation) as p:
        regle = p.regle
        if regle.renouvellement is None:
            raise ActionRefusee(f"Le dispositif {regle.cle} ne prévoit pas de renouvellement.", "MOV-08")
        if p.etat != Etat.EN_COURS:
            raise ActionRefusee("Seule une prestation en cours peut être renouvelée.", "MOV-08")
        if not (p.date_fin - datetime.timedelta(days=JOURS_AVANT_TERME_POUR_RENOUVELER - 1) <= le <= p.date_fin):
            raise ActionRefusee(
                f"Le renouvellement se décide au terme : dans les {JOURS_AVANT_TERME_POUR_RENOUVELER} jours "
                f"précédant la fin du {p.date_fin:%d/%m/%Y}.",
                "MOV-08",
            )
        try:
            nouvelle = regle.date_fin_renouvellement(p.date_fin, p.nombre_renouvellements)
        except ValueError as exc:
            raise ActionRefusee(str(exc), "MOV-08") from None
        ancienne = p.date_fin
        p.renouveler(nouvelle)
        Renouvellement.objects.create(
            prestation=p,
            ancienne_date_fin=ancienne,
            nouvelle_date_fin=nouvelle,
            motif=motif.strip(),
            decide_par=acteur.user,
        )
        journaliser(
            TypeEvenement.RENOUVELLEMENT,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Renouvelée pour 6 mois : fin reportée du {ancienne:%d/%m/%Y} au {nouvelle:%d/%m/%Y} (MOV-08).",
        )
        if p.referent:
            notifier(
                [p.referent],
                cle=f"prestation:{p.pk}:renouvellement:{p.nombre_renouvellements}",
                organisation=p.lettre_de_commande.marche.prestataire,
                sujet=f"Prestation renouvelée — {p.lettre_de_commande.numero}",
                corps=f"Le prescripteur a renouvelé la prestation de {_nom(p)} jusqu'au {nouvelle:%d/%m/%Y}.",
                lien=lien(p),
            )
    return p


# --- Group sessions (EMA-01, BAM-03) -------------------------------------------------


def creer_session(acteur, *, titre, debut, duree_minutes, modalite, taille_max=None):
    if acteur.role not in ROLES_PRESTATAIRE:
        raise PermissionDenied("Seul un prestataire organise une session collective.")
    return _creer(
        SessionCollective,
        organisation=acteur.organisation,
        titre=titre,
        debut=debut,
        duree_minutes=duree_minutes,
        modalite=modalite,
        taille_max=taille_max,
        animateur=acteur.user,
    )


def ajouter_participant(acteur, session: SessionCollective, prestation, *, presence):
    """Add a bénéficiaire of the organisation to a session, with their attendance; a
    collective entretien is logged on their case. A BAM micro-collectif (or any session
    with a maximum) refuses one participant too many (BAM-03: 6 at most)."""
    if session.organisation_id != acteur.organisation.pk:
        raise PermissionDenied("Cette session appartient à une autre structure.")
    with transaction.atomic():
        session = SessionCollective.objects.select_for_update().get(pk=session.pk)
        if session.participations.filter(prestation=prestation).exists():
            raise ValidationError({"prestation": "Ce bénéficiaire participe déjà à cette session."})
        maximum = min(
            (
                m
                for m in (
                    session.taille_max,
                    prestation.regle.phase(prestation.phase).taille_max_collectif if prestation.phase else None,
                )
                if m
            ),
            default=None,
        )
        nombre = session.participations.count()
        if maximum is not None and nombre >= maximum:
            raise ActionRefusee(f"La session compte déjà {nombre} participants : {maximum} au plus (BAM-03).", "BAM-03")
        return enregistrer_entretien(
            acteur,
            prestation,
            debut=session.debut,
            duree_minutes=session.duree_minutes,
            type=TypeEntretien.COLLECTIF,
            modalite=session.modalite,
            presence=presence,
            compte_rendu=f"Session collective : {session.titre}",
            session=session,
        )


# --- Actions of the parcours (BAM-03 carnet de suivi, CEP-02 plan d'action) ---------


def _verifier_parcours_ouvert(p):
    """BAM-03 / CEP-02: the carnet de suivi and the plan d'action are kept once the contract is
    signed and until the case is closed (not before the contractualisation, not after the end)."""
    if p.etat not in (Etat.EN_COURS, Etat.SUIVI_EMPLOI):
        raise ActionRefusee("Les actions du parcours se saisissent sur une prestation en cours.")


def ajouter_action(acteur, prestation, **champs):
    verifier_acteur_prestataire(acteur, prestation)
    with _verrou(prestation) as p:
        _verifier_parcours_ouvert(p)
        action = _creer(ActionParcours, prestation=p, auteur=acteur.user, **champs)
        journaliser(
            TypeEvenement.ACTION_PARCOURS,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Action ajoutée au parcours : {action.get_nature_display()} — {action.libelle}"
            + (f" ({action.cout} €)" if action.cout is not None else ""),
        )
    return action


def modifier_action(acteur, action: ActionParcours, **champs):
    # The case as it is now, not the copy cached on the action (it may predate a phase change).
    prestation = Prestation.objects.get(pk=action.prestation_id)
    verifier_acteur_prestataire(acteur, prestation)
    with _verrou(prestation) as p:
        _verifier_parcours_ouvert(p)
        action = p.actions.get(pk=action.pk)
        for nom, valeur in champs.items():
            setattr(action, nom, valeur)
        action.full_clean()
        action.save()
        journaliser(
            TypeEvenement.ACTION_PARCOURS,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message=f"Action du parcours mise à jour : {action.libelle} — {action.get_statut_display().lower()}.",
        )
    return action


# --- Automatic transitions applied by the deadline engine (no acteur) --------------
#
# ``clore`` applies an automatic end to a locked case in memory and returns what it
# writes besides the case; ``interrompre_automatiquement`` and ``terminer_au_terme`` do it
# for one case (lock, write, échéances), ``ecrire_clotures`` for a batch of the sweep.


@dataclass
class Cloture:
    """An automatic end applied in memory: the case, its sortie, its journal entry and the
    prescripteur's notice (``notifier`` arguments), none of them written yet."""

    prestation: Prestation
    sortie: Sortie
    evenement: Evenement
    avis: dict


def clore(p: Prestation, transition: str, *, le: datetime.date, regle: str) -> Cloture:
    """The automatic end ``transition`` of a rule set (``interrompre_pour_ecart``: MOV-10,
    more than 14 net days without an entretien; ``terminer_au_terme``: MOV-07, the end date
    passed with no outcome recorded, SOR-04), applied to the case ``p`` already locked by
    the caller. Refused (``ActionRefusee``) when the case no longer qualifies."""
    auteur = p.referent or p.lettre_de_commande.prescripteur
    if transition == "interrompre_pour_ecart":
        if p.etat != Etat.EN_COURS:
            raise ActionRefusee("La prestation n'est plus en cours.", regle)
        p.interrompre(le, TypeSortie.INTERRUPTION_ECART_ENTRETIENS)
        sortie = Sortie(
            prestation=p,
            type=TypeSortie.INTERRUPTION_ECART_ENTRETIENS,
            date_sortie=le,
            positive=False,
            regle="SOR-04",
            explication=f"Plus de 14 jours sans entretien, hors suspensions et périodes en entreprise ({regle}).",
            motif="Interruption automatique",
            auteur=auteur,
        )
        evenement = nouvel_evenement(
            TypeEvenement.INTERRUPTION,
            ldc=p.lettre_de_commande,
            message=f"Prestation interrompue automatiquement le {le:%d/%m/%Y} : plus de 14 jours sans entretien "
            f"({regle}).",
        )
        avis = _avis_prescripteur(
            p,
            cle="interruption",
            sujet="Interruption de la prestation",
            corps=f"La prestation de {_nom(p)} a pris fin le {le:%d/%m/%Y} : plus de 14 jours se sont écoulés sans "
            f"entretien ({regle}). Les livrables des phases réalisées suivent (LIV-03).",
        )
    elif transition == "terminer_au_terme":
        if p.etat != Etat.EN_COURS or p.date_fin is None or le <= p.date_fin:
            raise ActionRefusee("La prestation n'est pas arrivée à son terme.", "MOV-07")
        p.terminer(p.date_fin, TypeSortie.TERME_SANS_EMPLOI)
        sortie = Sortie(
            prestation=p,
            type=TypeSortie.TERME_SANS_EMPLOI,
            date_sortie=p.date_fin,
            positive=False,
            regle="SOR-04",
            explication="Terme atteint sans sortie positive enregistrée (SOR-04).",
            motif="Fin automatique au terme",
            auteur=auteur,
        )
        evenement = nouvel_evenement(
            TypeEvenement.SORTIE,
            ldc=p.lettre_de_commande,
            message=f"Prestation terminée à son terme, le {p.date_fin:%d/%m/%Y} (MOV-07).",
        )
        avis = _avis_prescripteur(
            p,
            cle="fin",
            sujet="Fin de la prestation",
            corps=f"La prestation de {_nom(p)} est arrivée à son terme le {p.date_fin:%d/%m/%Y} sans sortie positive "
            "enregistrée.",
        )
    else:
        raise ValueError(f"Transition automatique inconnue : {transition}")
    return Cloture(p, sortie, evenement, avis)


def interrompre_automatiquement(prestation, *, le, regle="MOV-10", maintenant=None):
    """MOV-10: more than 14 net days without an entretien: the prestation ends by itself,
    the case says why and when, and the prescripteur is told (LIV-03)."""
    with _verrou(prestation, maintenant) as p:
        _ecrire_cloture(clore(p, "interrompre_pour_ecart", le=le, regle=regle))
    return p


def terminer_au_terme(prestation, *, le, maintenant=None):
    """MOV-07: at its end date the prestation ends by itself when no outcome was recorded
    (SOR-04 « terme atteint sans emploi »); the prescripteur is told."""
    with _verrou(prestation, maintenant) as p:
        _ecrire_cloture(clore(p, "terminer_au_terme", le=le, regle="MOV-07"))
    return p


def _ecrire_cloture(cloture: Cloture) -> None:
    cloture.sortie.save()
    cloture.evenement.save()
    notifier_plusieurs([cloture.avis])


def ecrire_clotures(clotures: list[Cloture], maintenant: datetime.datetime) -> None:
    """Write automatic ends applied by ``clore`` to cases the caller holds locked, many
    at once (the deadline engine's batches): their sorties, journal entries and notices in
    one query each, then the cases and their échéances (``echeances.synchroniser_en_lot``)."""
    from prestations import echeances

    if not clotures:
        return
    # One INSERT each, without the per-object preparation of ``bulk_create`` (nothing
    # reads their keys afterwards).
    inserer(Sortie, [c.sortie for c in clotures])
    inserer(Evenement, [c.evenement for c in clotures])
    notifier_plusieurs([c.avis for c in clotures])
    # The cases' new state is written with their next deadline, in one UPDATE.
    echeances.synchroniser_en_lot(
        [c.prestation for c in clotures], maintenant, champs=["etat", "terminee_le", "motif_fin"]
    )
