"""LIV-01 / LIV-02: the MOV deliverables are échéances, honoured when transmitted."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comptes.acteurs import Acteur
from comptes.models import Notification
from livrables.services import transmettre_livrable
from prestations.echeances.balayage import Resultat, traiter_lot
from prestations.echeances.regles import minuit
from prestations.models import Echeance, Prestation, TypeEcheance
from tests.prestations.dossiers import DEBUT

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def _ligne(prestation, type_):
    return Echeance.objects.get(prestation=prestation, type=type_)


def test_liv01_bilan_intermediaire_due_at_the_end_of_month_2(dossiers):
    prestation = dossiers.en_cours(date=DEBUT, heure=9, minute=30)  # signed 30 minutes ago
    ligne = _ligne(prestation, TypeEcheance.BILAN_INTERMEDIAIRE)
    limite = prestation.regle.echeance_livrable("bilan_intermediaire").date_limite(DEBUT, prestation.date_fin)
    assert limite == datetime.date(2027, 1, 22)
    assert ligne.regle == "LIV-01"
    assert ligne.due_le == minuit(limite + datetime.timedelta(days=1))
    assert ligne.alertes == [minuit(limite - datetime.timedelta(days=3))]


def test_liv01_transmission_honours_the_row(monde, dossiers):
    prestation = dossiers.en_cours(date=DEBUT, heure=9, minute=30)  # signed 30 minutes ago
    transmettre_livrable(
        Acteur(monde.referent.user, monde.referent),
        Prestation.objects.get(pk=prestation.pk),
        type="bilan_intermediaire",
        fichier=SimpleUploadedFile("bilan.pdf", PDF),
    )
    ligne = _ligne(prestation, TypeEcheance.BILAN_INTERMEDIAIRE)
    assert ligne.etat == "honoree" and ligne.honoree_le is not None


def test_liv01_missing_bilan_is_breached_and_the_prescripteur_told(monde, dossiers):
    prestation = dossiers.en_cours(date=DEBUT, heure=9, minute=30)  # signed 30 minutes ago
    ligne = _ligne(prestation, TypeEcheance.BILAN_INTERMEDIAIRE)
    # Only this row: the other clocks of the case (MOV-10...) are not under test here.
    avant = ligne.due_le - datetime.timedelta(seconds=1)
    traiter_lot([(ligne.pk, prestation.pk)], avant, Resultat(maintenant=avant))
    ligne.refresh_from_db()
    assert ligne.etat == "avertie"  # warned 3 days before
    traiter_lot([(ligne.pk, prestation.pk)], ligne.due_le, Resultat(maintenant=ligne.due_le))
    ligne.refresh_from_db()
    assert ligne.etat == "echue"
    assert Notification.objects.filter(
        cle=f"echeance:{ligne.pk}:depassement", destinataire=monde.prescripteur.user
    ).exists()


def test_liv02_bilan_final_within_7_days_after_the_end(dossiers):
    prestation = dossiers.en_cours(date=DEBUT, heure=9, minute=30)  # signed 30 minutes ago
    ligne = _ligne(prestation, TypeEcheance.BILAN_FINAL)
    assert ligne.regle == "LIV-02"
    assert timezone.localdate(ligne.due_le) == prestation.date_fin + datetime.timedelta(days=8)
