"""How a case ends: sorties (SOR-01..04), the suivi dans l'emploi (MOV-13), the
interruptions (SOR-04, PMA-04), at their boundaries. The outcome rules alone, without a
case, are in ``test_sorties.py``.

Every test goes through ``prestations.suivi`` (the only path for a change of state),
builds its cases with the ``dossiers`` fixture and moves the clock with time-machine.
A refused action is checked to change nothing (``refuse``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from comptes.models import Canal
from prestations.models import Etat, Modalite, TypeEvenement
from prestations.sorties import FormeEntreprise, NatureEntreprise, TypeContrat, TypeSortie
from prestations.suivi import fins
from tests.prestations.dossiers import CDI_TEMPS_PLEIN, FIN_MOV, faits_de, jour, recharger
from tests.support.constats import journal, notifications_de, refuse

pytestmark = pytest.mark.django_db


# --- Sorties: SOR-01..03, MOV-13 -----------------------------------------------------


def test_sor01_cdi_79_heures_par_mois_positive_ouvre_le_suivi(dossiers, monde):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p, TypeSortie.EMPLOI, jour(30), type_contrat=TypeContrat.CDI, temps_plein=False, heures_mensuelles=79
    )
    assert (sortie.positive, sortie.regle, sortie.categorie) == (True, "SOR-01", "emploi")
    p = recharger(p)
    assert (p.etat, p.phase, p.date_reprise) == (Etat.SUIVI_EMPLOI, "suivi_emploi", jour(30))
    assert notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:sortie").count() == 2


def test_sor01_cdi_78_heures_par_mois_non_positive_termine(dossiers):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p, TypeSortie.EMPLOI, jour(30), type_contrat=TypeContrat.CDI, temps_plein=False, heures_mensuelles=78
    )
    assert (sortie.positive, sortie.regle) == (False, "SOR-01")
    p = recharger(p)
    assert (p.etat, p.terminee_le, p.motif_fin, p.date_reprise) == (Etat.TERMINEE, jour(30), "emploi", None)


def test_sor02_formation_160_heures_a_20_heures_par_semaine_positive(dossiers):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p,
        TypeSortie.FORMATION,
        jour(30),
        formation_heures_total=160,
        formation_heures_hebdo=20,
        formation_continue=True,
    )
    assert (sortie.positive, sortie.regle, sortie.categorie) == (True, "SOR-02", "formation")
    assert recharger(p).etat == Etat.SUIVI_EMPLOI  # MOV-13: training is followed too


def test_sor02_formation_160_heures_a_19_heures_par_semaine_non_positive(dossiers):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p,
        TypeSortie.FORMATION,
        jour(30),
        formation_heures_total=160,
        formation_heures_hebdo=19,
        formation_continue=True,
    )
    assert (sortie.positive, sortie.regle) == (False, "SOR-02")
    assert recharger(p).etat == Etat.TERMINEE


def test_sor03_auto_entrepreneur_non_positive(dossiers):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p,
        TypeSortie.CREATION_ENTREPRISE,
        jour(30),
        forme_entreprise=FormeEntreprise.MICRO_ENTREPRENEUR,
        nature_entreprise=NatureEntreprise.CREATION,
    )
    assert (sortie.positive, sortie.regle) == (False, "SOR-03")
    assert recharger(p).etat == Etat.TERMINEE


def test_sor03_creation_de_societe_positive_sans_suivi_dans_l_emploi(dossiers):
    """MOV-13 follows a job or a training (the rule set's ``suivi_emploi.sorties``), not a business."""
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p,
        TypeSortie.CREATION_ENTREPRISE,
        jour(30),
        forme_entreprise=FormeEntreprise.SOCIETE,
        nature_entreprise=NatureEntreprise.REPRISE,
        employeur="SARL Martin",
    )
    assert (sortie.positive, sortie.regle, sortie.employeur) == (True, "SOR-03", "SARL Martin")
    assert recharger(p).etat == Etat.TERMINEE


@pytest.mark.parametrize("dispositif", ["BCA", "BAM", "PMA", "CEP"])
def test_sor01_sortie_positive_sans_suivi_termine_la_prestation(dossiers, dispositif):
    p = dossiers.en_cours(dispositif)
    sortie = dossiers.sortie(p, TypeSortie.EMPLOI, jour(10), **CDI_TEMPS_PLEIN)
    assert sortie.positive
    p = recharger(p)
    assert (p.etat, p.date_reprise, p.terminee_le) == (Etat.TERMINEE, None, jour(10))


def test_sor_donnees_contradictoires_refusees(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(jour(30))
    with refuse(p, ValidationError, champ="duree_contrat_mois"):
        dossiers.sortie(p, TypeSortie.EMPLOI, jour(30), duree_contrat_mois=6, **CDI_TEMPS_PLEIN)
    with refuse(p, ValidationError, champ="heures_mensuelles"):
        dossiers.sortie(
            p, TypeSortie.EMPLOI, jour(30), type_contrat=TypeContrat.CDI, temps_plein=True, heures_mensuelles=80
        )
    with refuse(p, ValidationError, champ="type_contrat"):
        dossiers.sortie(p, TypeSortie.FORMATION, jour(30), type_contrat=TypeContrat.CDI, convention_afpr=True)


def test_sor_dates_de_sortie_refusees(dossiers):
    p = dossiers.en_cours(date=jour(3))
    dossiers.aller(jour(30))
    for date in (jour(31), jour(2)):  # future; before the contractualisation
        with refuse(p, ValidationError, champ="date_sortie"):
            fins.enregistrer_sortie(dossiers.referent, p, type=TypeSortie.EMPLOI, date_sortie=date, **CDI_TEMPS_PLEIN)


def test_sor04_terme_sans_emploi_au_terme_seulement(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV - datetime.timedelta(days=1))
    with refuse(p, regle="SOR-04"):
        dossiers.sortie(p, TypeSortie.TERME_SANS_EMPLOI, FIN_MOV - datetime.timedelta(days=1))
    sortie = dossiers.sortie(p, TypeSortie.TERME_SANS_EMPLOI, FIN_MOV)
    assert (sortie.positive, sortie.regle, recharger(p).etat) == (False, "SOR-04", Etat.TERMINEE)


@pytest.mark.parametrize("type_", [TypeSortie.ABANDON, TypeSortie.REFUS, TypeSortie.INTERRUPTION_ECART_ENTRETIENS])
def test_sor04_les_fins_non_positives_ne_passent_pas_par_la_sortie(dossiers, type_):
    p = dossiers.en_cours()
    dossiers.aller(jour(30))
    with refuse(p, ValidationError, champ="type"):
        dossiers.sortie(p, type_, jour(30))


def test_sortie_refusee_hors_prestation_en_cours(dossiers):
    p = dossiers.nouveau()
    dossiers.aller(jour(3))
    with refuse(p):
        dossiers.sortie(p, TypeSortie.EMPLOI, jour(3), **CDI_TEMPS_PLEIN)


# --- Suivi dans l'emploi: MOV-13 -------------------------------------------------------


def test_mov13_sortie_en_cdi_ouvre_le_suivi_avec_ses_fenetres(dossiers):
    reprise = jour(30)  # 23/12/2026
    p = dossiers.en_suivi_emploi(reprise)
    [evenement] = journal(p, TypeEvenement.SORTIE)
    assert "Suivi dans l'emploi jusqu'au 22/03/2027 (MOV-13)" in evenement.message
    f = faits_de(p, reprise)
    assert [(w["debut"], w["fin"]) for w in f.suivi_emploi] == [
        (reprise, datetime.date(2026, 12, 29)),  # first week
        (datetime.date(2026, 12, 30), datetime.date(2027, 1, 22)),  # rest of month 1
        (datetime.date(2027, 1, 23), datetime.date(2027, 2, 22)),  # month 2
        (datetime.date(2027, 2, 23), datetime.date(2027, 3, 22)),  # month 3
    ]
    assert p.prochaine_echeance == datetime.date(2026, 12, 29)
    assert f.ecart_net is None  # MOV-10 watches the prestation en cours only
    # MOV-11: the weeks missed before the outcome stay listed; none is expected after it.
    assert faits_de(p, jour(90)).semaines_sans_entretien == [jour(7), jour(14), jour(21)]
    dossiers.entretien(p, jour(33), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    f = faits_de(p, jour(40))
    assert f.suivi_emploi[0]["entretien"] is not None and not f.suivi_emploi[0]["en_retard"]
    # Next: the bilan final, due 7 days after the outcome (LIV-02), before the next window.
    assert recharger(p).prochaine_echeance == datetime.date(2026, 12, 30)
    assert "LIV-02" in recharger(p).prochaine_echeance_libelle


def test_mov13_entretien_de_suivi_exige_toujours_en_emploi(dossiers):
    p = dossiers.en_suivi_emploi()
    with refuse(p, ValidationError, champ="toujours_en_emploi"):
        dossiers.entretien(p, jour(32), modalite=Modalite.TELEPHONE)
    entretien = dossiers.entretien(p, jour(32), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    assert (entretien.phase, entretien.toujours_en_emploi) == ("suivi_emploi", True)


def test_mov13_toujours_en_emploi_refuse_hors_suivi(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="toujours_en_emploi"):
        dossiers.entretien(p, jour(5), toujours_en_emploi=True)


def test_mov13_clore_suivi_refuse_avant_3_mois_accepte_apres(dossiers):
    p = dossiers.en_suivi_emploi(jour(30))  # follow-up until 22/03/2027
    dossiers.entretien(p, jour(32), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    dossiers.aller(datetime.date(2027, 3, 22))
    with refuse(p, regle="MOV-13"):
        fins.clore_suivi(dossiers.referent, p)
    dossiers.aller(datetime.date(2027, 3, 23))
    p = fins.clore_suivi(dossiers.referent, p)
    assert (p.etat, p.terminee_le, p.motif_fin) == (Etat.TERMINEE, datetime.date(2027, 3, 23), "suivi_clos")
    [evenement] = journal(p, TypeEvenement.SUIVI_CLOS)
    assert evenement.donnees["maintien"] is True


def test_mov13_clore_suivi_plus_tot_quand_la_personne_n_est_plus_en_emploi(dossiers):
    p = dossiers.en_suivi_emploi(jour(30))
    dossiers.entretien(p, jour(32), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    with refuse(p, regle="MOV-13"):
        fins.clore_suivi(dossiers.referent, p)
    dossiers.entretien(p, jour(50), modalite=Modalite.TELEPHONE, toujours_en_emploi=False)
    p = fins.clore_suivi(dossiers.referent, p)
    assert p.etat == Etat.TERMINEE
    [evenement] = journal(p, TypeEvenement.SUIVI_CLOS)
    assert evenement.donnees["maintien"] is False and "n'est plus en poste" in evenement.message


def test_mov13_clore_suivi_refuse_sans_suivi(dossiers):
    p = dossiers.en_cours()
    with refuse(p, regle="MOV-13"):
        fins.clore_suivi(dossiers.referent, p)


def test_mov13_pas_d_interruption_pendant_le_suivi(dossiers):
    p = dossiers.en_suivi_emploi()
    with refuse(p):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Ne répond plus.")


# --- Interruptions: SOR-04, PMA-04 ---------------------------------------------------


@pytest.mark.parametrize(
    ("dispositif", "type_"),
    [
        ("MOV", TypeSortie.ABANDON),
        ("MOV", TypeSortie.INTERRUPTION),
        ("PMA", TypeSortie.REORIENTATION),
        ("PMA", TypeSortie.EXCLUSION),
    ],
)
def test_sor04_chaque_interruption_est_enregistree_distinctement(dossiers, monde, dispositif, type_):
    p = dossiers.en_cours(dispositif)
    dossiers.aller(jour(12))
    sortie = fins.interrompre(
        dossiers.referent, p, type=type_, motif="  Motif détaillé.  ", consultation_financeur=True
    )
    assert (sortie.type, sortie.positive, sortie.regle, sortie.motif) == (type_, False, "SOR-04", "Motif détaillé.")
    p = recharger(p)
    assert (p.etat, p.motif_fin, p.terminee_le) == (Etat.INTERROMPUE, type_, jour(12))
    [evenement] = journal(p, TypeEvenement.INTERRUPTION)
    assert TypeSortie(type_).label in evenement.message
    [note] = notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:interruption").filter(canal=Canal.IN_APP)
    assert "LIV-03" in note.corps


def test_sor04_interruption_avant_contractualisation_et_date_passee(dossiers):
    p = dossiers.nouveau()
    dossiers.aller(jour(6))
    sortie = fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Injoignable.", date_sortie=jour(4))
    assert (recharger(p).etat, sortie.date_sortie) == (Etat.INTERROMPUE, jour(4))


def test_sor04_interruption_sans_motif_date_future_ou_avant_le_debut_refusee(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(jour(10))
    with refuse(p, ValidationError, champ="motif"):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="  ")
    with refuse(p, ValidationError, champ="type"):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.EMPLOI, motif="Emploi")
    with refuse(p, ValidationError, champ="date_sortie"):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="x", date_sortie=jour(11))
    with refuse(p, ValidationError, champ="date_sortie"):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="x", date_sortie=jour(-2))


def test_pma04_exclusion_refusee_sans_consultation(dossiers):
    p = dossiers.en_cours("PMA")
    with refuse(p, ValidationError, champ="consultation_financeur") as info:
        fins.interrompre(dossiers.referent, p, type=TypeSortie.EXCLUSION, motif="Absences répétées.")
    assert "PMA-04" in info.value.message_dict["consultation_financeur"][0]


@pytest.mark.parametrize("consultation", ["consultation_financeur", "consultation_referent"])
def test_pma04_exclusion_acceptee_apres_consultation(dossiers, consultation):
    p = dossiers.en_cours("PMA")
    sortie = fins.interrompre(
        dossiers.referent, p, type=TypeSortie.EXCLUSION, motif="Trois absences injustifiées.", **{consultation: True}
    )
    assert getattr(sortie, consultation) is True
    assert (sortie.type, recharger(p).etat) == (TypeSortie.EXCLUSION, Etat.INTERROMPUE)


def test_pma04_exclusion_refusee_pour_mov(dossiers):
    p = dossiers.en_cours("MOV")
    with refuse(p, regle="PMA-04") as info:
        fins.interrompre(
            dossiers.referent, p, type=TypeSortie.EXCLUSION, motif="Absences.", consultation_financeur=True
        )
    assert "ne prévoit pas d'exclusion" in info.value.message
