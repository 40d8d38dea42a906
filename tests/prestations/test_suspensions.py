"""Suspensions (MOV-09, MOV-07) and périodes en entreprise (MOV-12), at their boundaries.

Every test goes through ``prestations.suivi`` (the only path for a change of state),
builds its cases with the ``dossiers`` fixture and moves the clock with time-machine.
A refused action is checked to change nothing (``refuse``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from prestations.models import MotifSuspension, PeriodeEnEntreprise, Suspension, TypeEvenement
from prestations.sorties import TypeSortie
from prestations.suivi import fins, suspensions
from tests.prestations.dossiers import FIN_MOV, SIRET, faits_de, jour, recharger
from tests.support.constats import journal, refuse

pytestmark = pytest.mark.django_db


# --- Suspensions: MOV-09, MOV-07 -----------------------------------------------------


def test_mov09_maladie_14_jours_acceptee(dossiers):
    p = dossiers.en_cours()
    suspension = dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(18))
    assert suspension.jours == 14
    [evenement] = journal(p, TypeEvenement.SUSPENSION)
    assert "14 jours, sans report de la date de fin (MOV-09)" in evenement.message


def test_mov09_maladie_15_jours_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(19))
    assert "15 jours consécutifs" in info.value.message_dict["fin"][0]


def test_mov09_maladie_deux_arrets_accoles_au_dela_de_14_jours_consecutifs_refuses(dossiers):
    """Two back-to-back illness suspensions form one stretch of consecutive days."""
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(8), jour(17))  # 10 days
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(18), jour(22))  # prolonged by 5 days
    assert "15 jours consécutifs" in info.value.message_dict["fin"][0]
    with refuse(p, ValidationError, champ="fin"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(3), jour(7))  # 5 days just before, too
    assert dossiers.suspension(p, MotifSuspension.MALADIE, jour(18), jour(21)).jours == 4  # 14 in a row
    assert dossiers.suspension(p, MotifSuspension.MALADIE, jour(23), jour(36)).jours == 14  # one day apart


def test_mov09_conges_35_jours_au_total_acceptes(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.CONGES, jour(10), jour(29))  # 20 days
    dossiers.suspension(p, MotifSuspension.CONGES, jour(60), jour(74))  # 15 days
    assert faits_de(p, jour(80)).jours_conges == 35


def test_mov09_conges_36_jours_au_total_refuses(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.CONGES, jour(10), jour(29))  # 20 days
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.suspension(p, MotifSuspension.CONGES, jour(60), jour(75))  # 16 days
    assert "36 jours au total" in info.value.message_dict["fin"][0]


def test_mov09_maladie_et_conges_ont_des_limites_separees(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.CONGES, jour(10), jour(44))  # 35 days
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(45), jour(58))  # 14 more days of illness
    assert faits_de(p, jour(60)).jours_maladie == 14


def test_mov09_suspensions_qui_se_chevauchent_refusees(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.CONGES, jour(10), jour(20))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(20), jour(25))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.CONGES, jour(5), jour(30))


def test_mov09_suspension_couvrant_un_entretien_tenu_refusee(dossiers):
    p = dossiers.en_cours()
    dossiers.entretien(p, jour(6))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(8))


def test_mov09_suspension_chevauchant_une_periode_en_entreprise_refusee(dossiers):
    p = dossiers.en_cours()
    dossiers.periode(p, jour(14), jour(27))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(20), jour(30))


def test_mov07_la_date_de_fin_ne_bouge_pas_avec_les_suspensions(dossiers):
    p = dossiers.en_cours()
    assert p.date_fin == FIN_MOV
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(18))
    dossiers.suspension(p, MotifSuspension.CONGES, jour(30), jour(64))
    assert recharger(p).date_fin == FIN_MOV
    assert faits_de(p, jour(100)).jours_restants == (FIN_MOV - jour(100)).days + 1  # calendar days, not net


def test_mov07_suspension_hors_des_dates_de_la_prestation_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(-3), jour(2))
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.suspension(p, MotifSuspension.MALADIE, FIN_MOV - datetime.timedelta(days=3), FIN_MOV.replace(day=24))
    assert "MOV-07" in info.value.message_dict["fin"][0]
    with refuse(p, ValidationError, champ="fin"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(10), jour(9))


def test_mov09_fin_de_suspension_avancee_la_prestation_reprend(dossiers):
    p = dossiers.en_cours()
    suspension = dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(18))
    dossiers.aller(jour(10))
    suspensions.mettre_fin_suspension(dossiers.referent, suspension, jour(9))
    assert Suspension.objects.get(pk=suspension.pk).fin == jour(9)
    assert journal(p, TypeEvenement.FIN_SUSPENSION)
    assert dossiers.entretien(p, jour(10)).jour == jour(10)
    with refuse(p, ValidationError, champ="fin"):
        suspensions.mettre_fin_suspension(dossiers.referent, Suspension.objects.get(pk=suspension.pk), jour(12))


def test_mov09_fin_de_suspension_refusee_une_fois_la_prestation_terminee(dossiers):
    p = dossiers.en_cours()
    suspension = dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(18))
    dossiers.aller(jour(20))
    fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Déménagement.")
    with refuse(p, regle="MOV-09"):
        suspensions.mettre_fin_suspension(dossiers.referent, suspension, jour(10))


def test_mov09_suspension_refusee_hors_prestation_en_cours_et_pour_un_dispositif_sans_suspension(dossiers):
    a_contractualiser = dossiers.nouveau()
    with refuse(a_contractualiser, regle="MOV-09"):
        dossiers.suspension(a_contractualiser, MotifSuspension.MALADIE, jour(5), jour(6))
    bca = dossiers.en_cours("BCA")
    with refuse(bca) as info:
        dossiers.suspension(bca, MotifSuspension.MALADIE, jour(5), jour(6))
    assert "ne prévoit pas de suspension" in info.value.message


# --- Périodes en entreprise: MOV-12 ----------------------------------------------------


def test_mov12_periode_de_6_semaines_acceptee(dossiers):
    p = dossiers.en_cours()
    periode = dossiers.periode(p, jour(14), jour(14 + 41), tuteur_fonction="Chef d'atelier", objectif="Découverte")
    assert (periode.fin - periode.debut).days + 1 == 42
    [evenement] = journal(p, TypeEvenement.PERIODE_ENTREPRISE)
    assert "Boulangerie Martin" in evenement.message and "MOV-12" in evenement.message


def test_mov12_periode_de_6_semaines_et_1_jour_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.periode(p, jour(14), jour(14 + 42))
    assert "43 jours" in info.value.message_dict["fin"][0]


def test_mov12_periode_de_7_jours_acceptee_de_6_jours_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="fin"):
        dossiers.periode(p, jour(14), jour(19))
    assert dossiers.periode(p, jour(14), jour(20)).fin == jour(20)


def test_mov12_siret_invalide_refuse(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="siret"):
        dossiers.periode(p, jour(14), jour(20), siret="12345678901234")
    espace = f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}"
    assert dossiers.periode(p, jour(14), jour(20), siret=espace).siret == SIRET


def test_mov12_periodes_qui_se_chevauchent_ou_hors_prestation_refusees(dossiers):
    p = dossiers.en_cours()
    dossiers.periode(p, jour(14), jour(27))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.periode(p, jour(20), jour(30))
    with refuse(p, ValidationError):
        dossiers.periode(p, FIN_MOV - datetime.timedelta(days=3), FIN_MOV + datetime.timedelta(days=4))


def test_mov12_periode_refusee_pour_un_dispositif_sans_periode_en_entreprise(dossiers):
    bca = dossiers.en_cours("BCA")
    with refuse(bca) as info:
        dossiers.periode(bca, jour(5), jour(11))
    assert "ne prévoit pas de période en entreprise" in info.value.message


def test_periode_en_entreprise_modele_valide_les_dates(dossiers):
    p = dossiers.en_cours()
    periode = PeriodeEnEntreprise(
        prestation=p,
        entreprise="X",
        siret=SIRET,
        debut=jour(10),
        fin=jour(9),
        tuteur="T",
        auteur=dossiers.referent.user,
    )
    with pytest.raises(ValidationError) as info:
        periode.full_clean()
    assert "fin" in info.value.message_dict
