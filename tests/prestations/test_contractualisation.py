"""The contractualisation (issue 4): MOV-03, MOV-05, MOV-06, rule by rule, at their boundaries.

Every test goes through ``prestations.suivi`` (the only path for a change of state),
builds its cases with the ``dossiers`` fixture and moves the clock with time-machine.
A refused action is checked to change nothing (``refuse``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from comptes.models import Canal
from prestations.models import Etat, Modalite, TypeEvenement
from prestations.sorties import TypeSortie
from prestations.suivi import contractualisation
from tests.prestations.dossiers import jour, moment, recharger
from tests.support.constats import journal, notifications_de, refuse

pytestmark = pytest.mark.django_db


# --- Contractualisation: MOV-03, MOV-05, MOV-06 -------------------------------------


def test_mov03_contractualisation_au_jour_7_dans_les_delais(dossiers):
    p = dossiers.contractualise(dossiers.nouveau(), jour(7))
    assert p.etat == Etat.EN_COURS and p.contractualisee_le == jour(7)
    [evenement] = journal(p, TypeEvenement.CONTRACTUALISATION)
    assert evenement.donnees["hors_delai"] is False
    assert "hors délai" not in evenement.message


def test_mov03_contractualisation_au_jour_8_enregistree_hors_delai(dossiers, monde):
    p = dossiers.contractualise(dossiers.nouveau(), jour(8))
    assert p.etat == Etat.EN_COURS  # MOV-03 is not a block: the late contract is recorded
    [evenement] = journal(p, TypeEvenement.CONTRACTUALISATION)
    assert evenement.donnees["hors_delai"] is True
    assert "hors délai (MOV-03 : au plus tard le 30/11/2026)" in evenement.message
    [copie] = notifications_de(monde.prescripteur.user, "contrat_signe").filter(canal=Canal.IN_APP)
    assert "hors délai" in copie.corps


def test_mov05_contrat_signe_en_cours_phase_1_prescripteur_notifie(dossiers, monde):
    p = dossiers.contractualise(dossiers.nouveau(), jour(2))
    p = recharger(p)
    assert (p.etat, p.phase, p.contrat_signe, p.contractualisee_le) == (Etat.EN_COURS, "phase_1", True, jour(2))
    [entretien] = p.entretiens.all()
    assert (entretien.phase, entretien.type, entretien.auteur) == (
        "contractualisation",
        "individuel",
        monde.referent.user,
    )
    notes = notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:contrat_signe")
    assert sorted(notes.values_list("canal", flat=True)) == [Canal.EMAIL, Canal.IN_APP]
    assert "Sa copie signée vous sera transmise sous 48 heures (MOV-05)" in notes.first().corps
    assert p.prochaine_echeance is not None  # the next deadline is computed (MOV-10 gap)


def test_mov06_contrat_non_signe_prestation_refusee_prescripteur_notifie(dossiers, monde):
    p = dossiers.contractualise(dossiers.nouveau(), jour(2), signe=False, compte_rendu="Ne souhaite pas s'engager.")
    p = recharger(p)
    assert (p.etat, p.contrat_signe, p.terminee_le, p.motif_fin) == (Etat.REFUSEE, False, jour(2), "refus")
    assert (p.sortie.type, p.sortie.positive, p.sortie.regle) == (TypeSortie.REFUS, False, "SOR-04")
    assert p.sortie.motif == "Ne souhaite pas s'engager."
    assert journal(p, TypeEvenement.REFUS_CONTRAT)
    assert notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:contrat_refuse").count() == 2
    with refuse(p):
        dossiers.entretien(p, jour(3))


def test_mov05_contractualisation_deja_enregistree_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, regle="MOV-05"):
        dossiers.contractualise(p, jour(2))


def test_mov05_contractualisation_sur_un_objet_perime_refusee(dossiers):
    """The caller's copy is stale (still « à contractualiser »): a clear conflict."""
    p = dossiers.nouveau()
    dossiers.contractualise(p, jour(1))
    with refuse(p) as info:
        dossiers.contractualise(p, jour(1))
    assert "rechargez" in info.value.message


def test_contractualisation_dans_le_futur_refusee(dossiers):
    p = dossiers.nouveau()
    with refuse(p, ValidationError, champ="debut"):
        contractualisation.contractualiser(
            dossiers.referent,
            p,
            debut=timezone.now() + datetime.timedelta(hours=2),
            duree_minutes=60,
            modalite=Modalite.PRESENTIEL,
            signe=True,
        )


def test_contractualisation_avant_le_debut_refusee(dossiers):
    p = dossiers.nouveau(debut=jour(7))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.contractualise(p, jour(3))


def test_contractualisation_avant_designation_du_referent_refusee(dossiers):
    p = recharger(dossiers.commande().prestation)
    dossiers.aller(jour(1))
    with refuse(p):
        contractualisation.contractualiser(
            dossiers.responsable, p, debut=moment(jour(1)), duree_minutes=60, modalite="presentiel", signe=True
        )
