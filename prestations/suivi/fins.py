"""How a prestation ends by a person's decision: its outcome (SOR-01..03), an interruption
(SOR-04, PMA-04, LIV-03), the end right after a phase (BAM-02), the end of the follow-up
(MOV-13). The automatic ends are in ``fins_automatiques``."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from commun.exceptions import ActionNonPrevue, ActionRefusee
from prestations import faits
from prestations.avis import nom_beneficiaire, notifier_prescripteur
from prestations.journal import journaliser
from prestations.models import Etat, Prestation, Sortie, TypeEvenement
from prestations.sorties import FaitsSortie, TypeSortie, classer_sortie
from prestations.suivi.gardes import aujourd_hui, creer, verifier_acteur_prestataire
from prestations.verrou import verrouiller

TYPES_INTERRUPTION = (TypeSortie.ABANDON, TypeSortie.EXCLUSION, TypeSortie.REORIENTATION, TypeSortie.INTERRUPTION)


def verifier_fin_apres_phase(acteur, prestation: Prestation, le=None) -> None:
    """BAM-02: the current phase allows the end right after it, once it has its entretien."""
    verifier_acteur_prestataire(acteur, prestation)
    phase = prestation.phase_regle
    if phase is None or not phase.fin_anticipee_possible:
        raise ActionNonPrevue("Cette phase ne permet pas de terminer la prestation par anticipation.", "BAM-02")
    if prestation.etat != Etat.EN_COURS:
        raise ActionRefusee("La fin après une phase se décide sur une prestation en cours.", "BAM-02")
    courante = next(ph for ph in faits.progression_phases(prestation) if ph.cle == prestation.phase)
    if not courante.complete:
        raise ActionRefusee(f"La phase « {phase.libelle} » doit d'abord avoir son entretien.", "BAM-02")


def verifier_sortie(acteur, prestation: Prestation, le=None) -> None:
    """SOR-01..04: the outcome is recorded on a case in progress."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat != Etat.EN_COURS:
        raise ActionRefusee("La sortie s'enregistre sur une prestation en cours.")


def verifier_interruption(acteur, prestation: Prestation, le=None) -> None:
    """SOR-04: a case is interrupted before its contractualisation or while in progress."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat not in (Etat.A_CONTRACTUALISER, Etat.EN_COURS):
        raise ActionRefusee(
            f"Une prestation « {prestation.get_etat_display().lower()} » ne s'interrompt plus.", "SOR-04"
        )


def verifier_cloture_du_suivi(acteur, prestation: Prestation, le=None) -> None:
    """MOV-13: the follow-up closes after its months, or once the person is recorded as no
    longer in the job or training."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat != Etat.SUIVI_EMPLOI:
        raise ActionRefusee("Il n'y a pas de suivi dans l'emploi en cours.", "MOV-13")
    fin_suivi = prestation.regle.suivi_emploi.date_fin(prestation.date_reprise)
    if aujourd_hui(le) <= fin_suivi and not _plus_en_poste(prestation):
        raise ActionRefusee(f"Le suivi dans l'emploi court jusqu'au {fin_suivi:%d/%m/%Y}.", "MOV-13")


def _plus_en_poste(prestation: Prestation) -> bool:
    """The last follow-up entretien says the person left the job or training (MOV-13)."""
    suivis = [e for e in prestation.entretiens.all() if e.toujours_en_emploi is not None]
    dernier = max(suivis, key=lambda e: e.debut, default=None)
    return dernier is not None and dernier.toujours_en_emploi is False


def terminer_apres_phase(acteur, prestation, motif: str, le=None):
    """BAM-02: end right after a phase that allows it (no mobility barrier, driving licence
    only through a standard school), once that phase has its entretien."""
    verifier_acteur_prestataire(acteur, prestation)
    le = aujourd_hui(le)
    with verrouiller(prestation) as p:
        verifier_fin_apres_phase(acteur, p, le)
        phase = p.phase_regle
        motifs = dict(phase.motifs_fin_anticipee)
        if motif not in motifs:
            raise ValidationError({"motif": "Choisissez l'un des motifs prévus."})
        p.terminer(le, motif)
        # Every end is a sortie (SOR-04: a distinct, reportable reason), this one too.
        creer(
            Sortie,
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
        notifier_prescripteur(
            p,
            cle="fin",
            sujet="Fin de la prestation",
            corps=f"La prestation de {nom_beneficiaire(p)} se termine : {motifs[motif]}.",
        )
    return p


def _faits_sortie(type_sortie, date_sortie, champs) -> FaitsSortie:
    connus = {k: v for k, v in champs.items() if k in FaitsSortie.__dataclass_fields__}
    return FaitsSortie(type_sortie=type_sortie, date_sortie=date_sortie, **connus)


def enregistrer_sortie(acteur, prestation, *, type, date_sortie, le=None, **champs):
    """Record the outcome and classify it (SOR-01..03). A positive job or training outcome
    of a dispositif with follow-up opens the 3-month suivi dans l'emploi (MOV-13)."""
    verifier_acteur_prestataire(acteur, prestation)
    le = aujourd_hui(le)
    champs = {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in champs.items()}
    if type in TYPES_INTERRUPTION or type in (TypeSortie.REFUS, TypeSortie.INTERRUPTION_ECART_ENTRETIENS):
        raise ValidationError({"type": "Ce motif passe par l'interruption de la prestation."})
    if type == TypeSortie.FIN_ANTICIPEE:
        raise ValidationError({"type": "Cette fin passe par la fin après la phase (BAM-02)."})
    with verrouiller(prestation) as p:
        verifier_sortie(acteur, p, le)
        if date_sortie is None or date_sortie > le:
            raise ValidationError({"date_sortie": "La date de sortie ne peut pas être future."})
        if date_sortie < (p.contractualisee_le or p.date_debut):
            raise ValidationError({"date_sortie": "La date de sortie précède le début de la prestation."})
        if type == TypeSortie.TERME_SANS_EMPLOI and p.date_fin and le < p.date_fin:
            raise ActionRefusee(f"Le terme n'est atteint que le {p.date_fin:%d/%m/%Y}.", "SOR-04")
        classement = classer_sortie(_faits_sortie(type, date_sortie, champs))
        sortie = creer(
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
        notifier_prescripteur(
            p,
            cle="sortie",
            sujet="Sortie de la prestation",
            corps=f"{nom_beneficiaire(p)} : {sortie.get_type_display().lower()} le {date_sortie:%d/%m/%Y}. "
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
    le = aujourd_hui(le)
    date_sortie = date_sortie or le
    if type not in TYPES_INTERRUPTION:
        raise ValidationError({"type": "Choisissez le motif de l'interruption."})
    if not (motif or "").strip():
        raise ValidationError({"motif": "Expliquez la raison de l'interruption."})
    if date_sortie > le:
        raise ValidationError({"date_sortie": "La date ne peut pas être future."})
    with verrouiller(prestation) as p:
        verifier_interruption(acteur, p, le)
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
        sortie = creer(
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
        notifier_prescripteur(
            p,
            cle="interruption",
            sujet="Interruption de la prestation",
            corps=f"La prestation de {nom_beneficiaire(p)} est interrompue le {date_sortie:%d/%m/%Y} : "
            f"{sortie.get_type_display().lower()} ({sortie.motif}). "
            "Les livrables des phases réalisées suivent (LIV-03).",
        )
    return sortie


def clore_suivi(acteur, prestation, le=None):
    """MOV-13: close the follow-up after its 3 months, or earlier once the person is
    recorded as no longer in the job or training."""
    verifier_acteur_prestataire(acteur, prestation)
    le = aujourd_hui(le)
    with verrouiller(prestation) as p:
        verifier_cloture_du_suivi(acteur, p, le)
        perdu = _plus_en_poste(p)
        p.terminer(le, "suivi_clos")
        journaliser(
            TypeEvenement.SUIVI_CLOS,
            acteur=acteur,
            ldc=p.lettre_de_commande,
            message="Suivi dans l'emploi clos : "
            + ("la personne n'est plus en poste." if perdu else f"{p.regle.suivi_emploi.duree_mois} mois écoulés."),
            maintien=not perdu,
        )
    return p
