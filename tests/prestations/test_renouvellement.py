"""The renewal decided by the prescripteur at term (MOV-08), at its boundaries.

Every test goes through ``prestations.suivi`` (the only path for a change of state),
builds its cases with the ``dossiers`` fixture and moves the clock with time-machine.
A refused action is checked to change nothing (``refuse``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comptes.models import Role
from prestations.dispositifs.calendrier import fin_de_periode_mois
from prestations.models import Etat, Renouvellement, TypeEvenement
from prestations.suivi import renouvellement
from tests.prestations.dossiers import FIN_MOV, acteur
from tests.support.constats import journal, notifications_de, refuse

pytestmark = pytest.mark.django_db


# --- Renewal: MOV-08 -------------------------------------------------------------------


def test_mov08_renouvellement_au_terme_par_le_prescripteur(dossiers, monde):
    p = dossiers.au_terme(jours_avant=10)
    p = renouvellement.renouveler(acteur(monde.prescripteur), p, motif="  Parcours à consolider.  ")
    nouvelle = fin_de_periode_mois(FIN_MOV + datetime.timedelta(days=1), 6)
    assert (p.date_fin, p.nombre_renouvellements, p.etat) == (nouvelle, 1, Etat.EN_COURS)
    [decision] = Renouvellement.objects.filter(prestation=p)
    assert (decision.ancienne_date_fin, decision.nouvelle_date_fin) == (FIN_MOV, nouvelle)
    assert (decision.motif, decision.decide_par) == ("Parcours à consolider.", monde.prescripteur.user)
    assert journal(p, TypeEvenement.RENOUVELLEMENT)
    assert notifications_de(monde.referent.user, f"prestation:{p.pk}:renouvellement:1").count() == 2


def test_mov08_renouvellement_le_dernier_jour_accepte(dossiers, monde):
    p = dossiers.au_terme()
    assert renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Au terme.").nombre_renouvellements == 1


def test_mov08_second_renouvellement_refuse(dossiers, monde):
    p = dossiers.au_terme(jours_avant=5)
    p = renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Premier renouvellement.")
    dossiers.aller(p.date_fin - datetime.timedelta(days=5))
    with refuse(p, regle="MOV-08") as info:
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Encore.")
    assert "1 fois" in info.value.message


def test_mov08_renouvellement_40_jours_avant_le_terme_refuse(dossiers, monde):
    p = dossiers.au_terme(jours_avant=40)
    with refuse(p, regle="MOV-08"):
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Trop tôt.")
    dossiers.aller(FIN_MOV - datetime.timedelta(days=30))
    with refuse(p, regle="MOV-08"):
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Un jour trop tôt.")
    dossiers.aller(FIN_MOV + datetime.timedelta(days=1))
    with refuse(p, regle="MOV-08"):
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Trop tard.")


def test_mov08_le_referent_ne_peut_pas_renouveler(dossiers, monde):
    p = dossiers.au_terme(jours_avant=5)
    for intrus in (monde.referent, monde.responsable, monde.prescripteur_b):
        with refuse(p, PermissionDenied):
            renouvellement.renouveler(acteur(intrus), p, motif="Renouvellement.")
    with refuse(p, ValidationError, champ="motif"):
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif=" ")


def test_mov08_renouvellement_refuse_pour_un_dispositif_sans_renouvellement(dossiers, monde):
    p = dossiers.au_terme("BAM", jours_avant=2)
    with refuse(p, regle="MOV-08") as info:
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Renouvellement.")
    assert "BAM ne prévoit pas de renouvellement" in info.value.message


def test_mov08_un_autre_prescripteur_de_la_meme_agence_peut_renouveler(dossiers, monde, membre):
    collegue = membre(Role.PRESCRIPTEUR, organisation=monde.prescripteur.organisation)
    p = dossiers.au_terme()
    assert renouvellement.renouveler(acteur(collegue), p, motif="Décision de l'agence.").nombre_renouvellements == 1
