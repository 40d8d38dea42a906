"""Full journeys through the workflow services, one per dispositif, from the LdC to the
sortie (and, for MOV, through the suivi dans l'emploi to the end)."""

from __future__ import annotations

import datetime

import pytest

from commun.exceptions import ActionRefusee
from comptes.models import Canal, Notification
from prestations.models import (
    Echeance,
    Etat,
    Modalite,
    MotifSuspension,
    NatureAction,
    Presence,
    StatutAction,
    TypeEvenement,
)
from prestations.sorties import FormeEntreprise, NatureEntreprise, TypeContrat, TypeSortie
from prestations.suivi import entretiens, fins, parcours
from tests.prestations.dossiers import DEBUT, faits_de, jour, moment, recharger
from tests.support.constats import journal, refuse

pytestmark = pytest.mark.django_db

T = TypeEvenement


def types_du_journal(p):
    return [e.type for e in journal(p)]


def test_parcours_mov_complet_jusqu_a_la_fin_du_suivi_dans_l_emploi(dossiers, monde):
    """MOV-03..MOV-13, SOR-01: contract on day 3, weekly entretiens, leave, a company
    placement, a CDI, three months of follow-up, then the end."""
    p = dossiers.nouveau("MOV")
    assert (p.etat, p.date_debut, p.date_fin) == (Etat.A_CONTRACTUALISER, DEBUT, datetime.date(2027, 5, 21))

    p = dossiers.contractualise(p, jour(3))  # Thursday 26/11, within 7 days (MOV-03)
    assert (p.etat, p.phase) == (Etat.EN_COURS, "phase_1")

    dossiers.entretien(p, jour(8), compte_rendu="Diagnostic : atouts, freins, projet.")  # week of 30/11
    dossiers.entretien(p, jour(15), duree=45)  # week of 07/12
    p = entretiens.passer_phase(dossiers.referent, p)
    assert p.phase == "phase_2"
    dossiers.entretien(p, jour(22))  # week of 14/12

    # MOV-09: two weeks of leave; the end date stays (MOV-07).
    dossiers.suspension(p, MotifSuspension.CONGES, jour(28), jour(41))
    dossiers.entretien(p, jour(43))  # Tuesday 05/01/2027
    assert faits_de(p, jour(43)).ecart_net == 0

    # MOV-12: two weeks in a company, neutralised for MOV-10 and MOV-11.
    dossiers.periode(p, jour(49), jour(62), tuteur_fonction="Responsable de rayon", objectif="Découvrir le métier")
    dossiers.aller(jour(64))
    assert faits_de(p, jour(64)).ecart_net == 7  # 21 calendar days since 05/01, 14 of them in the company
    dossiers.entretien(p, jour(64))
    dossiers.entretien(p, jour(71))
    f = faits_de(p, jour(71))
    assert f.semaines_sans_entretien == []
    assert [(ph.cle, ph.entretiens, ph.complete) for ph in f.phases[:3]] == [
        ("contractualisation", 1, True),
        ("phase_1", 2, True),
        ("phase_2", 4, True),
    ]
    assert recharger(p).date_fin == datetime.date(2027, 5, 21)

    # SOR-01 → MOV-13
    reprise = jour(74)  # Friday 05/02/2027
    sortie = dossiers.sortie(
        p, TypeSortie.EMPLOI, reprise, type_contrat=TypeContrat.CDI, temps_plein=True, employeur="Super U Moulins"
    )
    assert (sortie.positive, sortie.regle) == (True, "SOR-01")
    p = recharger(p)
    assert (p.etat, p.phase, p.date_reprise) == (Etat.SUIVI_EMPLOI, "suivi_emploi", reprise)
    for date, modalite in (
        (datetime.date(2027, 2, 9), Modalite.TELEPHONE),  # first week
        (datetime.date(2027, 3, 2), Modalite.TELEPHONE),  # month 1
        (datetime.date(2027, 4, 1), Modalite.PRESENTIEL),  # month 2
        (datetime.date(2027, 5, 3), Modalite.TELEPHONE),  # month 3
    ):
        dossiers.entretien(p, date, duree=20, modalite=modalite, toujours_en_emploi=True)
    fenetres = faits_de(p, datetime.date(2027, 5, 4)).suivi_emploi
    assert [w["entretien"] is not None for w in fenetres] == [True] * 4
    assert not any(w["en_retard"] for w in fenetres)

    with refuse(p, regle="MOV-13"):
        fins.clore_suivi(dossiers.referent, p)  # 04/05/2027: last day of the 3 months
    dossiers.aller(datetime.date(2027, 5, 5))
    p = fins.clore_suivi(dossiers.referent, p)
    assert (p.etat, p.terminee_le, p.motif_fin) == (Etat.TERMINEE, datetime.date(2027, 5, 5), "suivi_clos")
    # Closed, but the signed contract and the bilans were never transmitted: they are still
    # owed (MOV-05, the oldest, first; LIV-01, LIV-02).
    assert "(MOV-05)" in p.prochaine_echeance_libelle
    assert Echeance.objects.filter(prestation=p, regle="LIV-01", etat__in=["a_venir", "avertie"]).exists()
    assert Echeance.objects.filter(prestation=p, regle="LIV-02", etat__in=["a_venir", "avertie"]).exists()

    assert types_du_journal(p) == [
        T.LDC_EMISE,
        T.LDC_TRANSMISE,
        T.REFERENT_DESIGNE,
        T.CONTRACTUALISATION,
        T.ENTRETIEN,
        T.ENTRETIEN,
        T.PHASE,
        T.ENTRETIEN,
        T.SUSPENSION,
        T.ENTRETIEN,
        T.PERIODE_ENTREPRISE,
        T.ENTRETIEN,
        T.ENTRETIEN,
        T.SORTIE,
        T.ENTRETIEN,
        T.ENTRETIEN,
        T.ENTRETIEN,
        T.ENTRETIEN,
        T.SUIVI_CLOS,
    ]
    notes = Notification.objects.filter(
        destinataire=monde.prescripteur.user, canal=Canal.IN_APP, cle__startswith=f"prestation:{p.pk}:"
    )
    assert sorted(notes.values_list("cle", flat=True)) == [
        f"prestation:{p.pk}:contrat_signe",
        f"prestation:{p.pk}:sortie",
    ]
    with refuse(p):
        dossiers.entretien(p, datetime.date(2027, 5, 5), heure=9, toujours_en_emploi=True)


def test_parcours_bca_quatre_phases_dans_l_ordre_jusqu_a_la_sortie(dossiers):
    """BCA-02: four phases, each with an individual entretien, at most 6 weeks."""
    p = dossiers.contractualise(dossiers.nouveau("BCA"), jour(2))
    assert (p.phase, p.date_fin) == ("investigation", jour(41))
    for date, suivante in ((jour(4), "confrontation"), (jour(9), "formalisation")):
        dossiers.entretien(p, date)
        p = entretiens.passer_phase(dossiers.referent, p)
        assert p.phase == suivante
    dossiers.entretien(p, jour(16), compte_rendu="Projet formalisé, parcours de retour à l'emploi.")
    with pytest.raises(ActionRefusee):
        entretiens.passer_phase(dossiers.referent, p)
    assert all(ph.complete for ph in faits_de(p, jour(16)).phases)

    sortie = dossiers.sortie(
        p,
        TypeSortie.FORMATION,
        jour(20),
        formation_heures_total=400,
        formation_heures_hebdo=35,
        formation_continue=True,
        employeur="AFPA Moulins",
    )
    assert (sortie.positive, sortie.regle) == (True, "SOR-02")
    p = recharger(p)
    assert (p.etat, p.terminee_le, p.date_reprise) == (Etat.TERMINEE, jour(20), None)  # no suivi for BCA
    assert types_du_journal(p)[3:] == [
        T.CONTRACTUALISATION,
        T.ENTRETIEN,
        T.PHASE,
        T.ENTRETIEN,
        T.PHASE,
        T.ENTRETIEN,
        T.SORTIE,
    ]


def test_parcours_bam_bilan_initial_parcours_mobilite_bilan_final(dossiers):
    """BAM-02..04: bilan initial, parcours with 2 entretiens, a micro-collectif and the
    carnet de suivi, bilan final, sortie."""
    p = dossiers.contractualise(dossiers.nouveau("BAM"), jour(1))
    assert (p.phase, p.date_fin) == ("bilan_initial", jour(89))
    parcours.ajouter_action(dossiers.referent, p, nature=NatureAction.DIAGNOSTIC, libelle="Diagnostic mobilité")
    p = entretiens.passer_phase(dossiers.referent, p)  # BAM-02: a mobility barrier, the parcours goes on
    assert p.phase == "parcours_mobilite"

    dossiers.entretien(p, jour(5))
    dossiers.aller(jour(7))
    session = entretiens.creer_session(
        dossiers.referent,
        titre="Micro-collectif : se déplacer en transport en commun",
        debut=moment(jour(7), 14),
        duree_minutes=120,
        modalite=Modalite.PRESENTIEL,
        taille_max=6,
    )
    entretiens.ajouter_participant(dossiers.referent, session, p, presence=Presence.PRESENT)
    permis = parcours.ajouter_action(
        dossiers.referent,
        p,
        nature=NatureAction.SERVICE_PAYANT,
        libelle="Auto-école : 20 heures de conduite",
        intervenant="Auto-école du Centre",
        cout="950.00",
        aides_mobilisables="Aide au permis France Travail, CPF",
        date_debut=jour(10),
        date_fin=jour(60),
    )
    with pytest.raises(ActionRefusee):  # BAM-03: one individual entretien so far (the group one does not count)
        entretiens.passer_phase(dossiers.referent, p)
    dossiers.entretien(p, jour(12))
    p = entretiens.passer_phase(dossiers.referent, p)
    assert p.phase == "bilan_final"

    parcours.modifier_action(dossiers.referent, permis, statut=StatutAction.REALISEE)
    dossiers.entretien(p, jour(62), compte_rendu="Bilan final : rapport de positionnement final (BAM-04).")
    with pytest.raises(ActionRefusee):
        entretiens.passer_phase(dossiers.referent, p)
    phases = faits_de(p, jour(62)).phases
    assert [(ph.cle, ph.entretiens, ph.complete) for ph in phases] == [
        ("bilan_initial", 1, True),
        ("parcours_mobilite", 2, True),
        ("bilan_final", 1, True),
    ]
    sortie = dossiers.sortie(
        p, TypeSortie.EMPLOI, jour(63), type_contrat=TypeContrat.CDD, duree_contrat_mois=6, temps_plein=True
    )
    assert sortie.positive
    p = recharger(p)
    assert p.etat == Etat.TERMINEE
    assert p.actions.count() == 2 and p.entretiens.filter(type="collectif").count() == 1


def test_parcours_pma_eligibilite_bilan_accompagnement(dossiers):
    p = dossiers.contractualise(dossiers.nouveau("PMA"), jour(1))
    assert (p.phase, p.date_fin) == ("eligibilite", jour(119))  # duration set by the marché
    p = entretiens.passer_phase(dossiers.referent, p)  # the eligibility needs no entretien
    assert p.phase == "bilan"
    with pytest.raises(ActionRefusee):
        entretiens.passer_phase(dossiers.referent, p)
    dossiers.entretien(p, jour(6))
    p = entretiens.passer_phase(dossiers.referent, p)
    assert p.phase == "accompagnement"
    dossiers.entretien(p, jour(13), presence=Presence.ABSENT)
    dossiers.entretien(p, jour(20))
    sortie = dossiers.sortie(
        p,
        TypeSortie.CREATION_ENTREPRISE,
        jour(30),
        forme_entreprise=FormeEntreprise.SOCIETE,
        nature_entreprise=NatureEntreprise.CREATION,
        employeur="SASU Livraisons Bourbonnaises",
    )
    assert (sortie.positive, sortie.regle) == (True, "SOR-03")
    assert recharger(p).etat == Etat.TERMINEE
    assert types_du_journal(p).count(T.PHASE) == 2


def test_parcours_cep_niveau_1_niveau_2_plan_d_action(dossiers):
    """CEP-01, CEP-02: no end date, levels chosen freely, the plan d'action kept on the case."""
    p = dossiers.contractualise(dossiers.nouveau("CEP"), jour(1))
    assert (p.phase, p.date_fin) == ("niveau_1", None)
    dossiers.entretien(p, jour(3), modalite=Modalite.DISTANCE)
    p = entretiens.passer_phase(dossiers.referent, p, cible="niveau_2")
    dossiers.entretien(p, jour(10))
    etape = parcours.ajouter_action(
        dossiers.referent, p, nature=NatureAction.ETAPE, libelle="Valider le projet", date_debut=jour(10)
    )
    parcours.ajouter_action(dossiers.referent, p, nature=NatureAction.FINANCEMENT, libelle="CPF")
    parcours.ajouter_action(dossiers.referent, p, nature=NatureAction.DEMARCHE_PERSONNELLE, libelle="Enquêtes métier")
    parcours.modifier_action(dossiers.referent, etape, statut=StatutAction.REALISEE, date_fin=jour(30))
    sortie = dossiers.sortie(p, TypeSortie.FORMATION, jour(40), convention_afpr=True)
    assert (sortie.positive, sortie.regle) == (True, "SOR-02")
    p = recharger(p)
    assert p.etat == Etat.TERMINEE
    with refuse(p):  # the plan d'action is frozen with the case
        parcours.modifier_action(dossiers.referent, etape, statut=StatutAction.ABANDONNEE)
    assert types_du_journal(p).count(T.ACTION_PARCOURS) == 4


def test_cep01_niveau_2_delivered_alone_from_the_contractualisation(dossiers, monde, client_de):
    """CEP-01: niveau 2 can be delivered alone: the accompaniment opens directly with it."""
    p = dossiers.contractualise(dossiers.nouveau("CEP"), DEBUT, heure=8, minute=30, phase="niveau_2")
    assert p.phase == "niveau_2"
    assert list(p.entretiens.values_list("phase", flat=True)) == ["niveau_2"]
    page = client_de(monde.referent).get(f"/prestations/{p.pk}/").content.decode()
    assert "Niveau 2" in page
