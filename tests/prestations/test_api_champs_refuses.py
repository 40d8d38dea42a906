"""Issue 13, point 16: the API refuses what a write would ignore, and says why (PRE-01)."""

from __future__ import annotations

import datetime

import pytest

from prestations.models import LettreDeCommande
from territoires.models import Departement
from tests.factories import MarcheFactory

pytestmark = pytest.mark.django_db

DEBUT = datetime.date(2026, 11, 30)


def _creer(client, beneficiaire, marche, **champs):
    data = {
        "beneficiaire": beneficiaire.pk,
        "marche": getattr(marche, "pk", marche),
        "date_debut": DEBUT.isoformat(),
        "accord_beneficiaire": True,
        **champs,
    }
    return client.post("/api/lettres-de-commande/", data, content_type="application/json")


def test_pre01_an_unknown_dispositif_is_refused_not_dropped(monde, beneficiaire_de, client_de):
    reponse = _creer(client_de(monde.prescripteur), beneficiaire_de(), monde.marche, dispositif="XYZ")
    assert reponse.status_code == 400
    assert "Valeurs admises : MOV, BCA, BAM, PMA, CEP" in reponse.json()["dispositif"][0]
    assert not LettreDeCommande.objects.exists()


def test_pre01_a_dispositif_other_than_the_marches_is_refused_with_the_reason(monde, beneficiaire_de, client_de):
    reponse = _creer(client_de(monde.prescripteur), beneficiaire_de(), monde.marche, dispositif="BCA")
    assert reponse.status_code == 400
    assert reponse.json()["dispositif"] == [
        "Le marché MOV-X-03 porte sur le dispositif MOV, pas sur BCA : choisissez un marché de ce dispositif."
    ]
    assert not LettreDeCommande.objects.exists()


def test_pre01_the_dispositif_may_be_given_when_it_is_the_marches(monde, beneficiaire_de, client_de):
    reponse = _creer(client_de(monde.prescripteur), beneficiaire_de(), monde.marche, dispositif="MOV")
    assert reponse.status_code == 201
    assert reponse.json()["dispositif"] == "MOV"


def test_read_only_and_unknown_fields_are_refused_each_at_its_key(monde, beneficiaire_de, client_de):
    reponse = _creer(
        client_de(monde.prescripteur),
        beneficiaire_de(),
        monde.marche,
        numero="LDC-FAUX",
        date_fin="2027-01-01",
        couleur="bleu",
    )
    assert reponse.status_code == 400
    erreurs = reponse.json()
    assert erreurs["numero"] == ["Ce champ est en lecture seule : il ne peut pas être fourni."]
    assert erreurs["date_fin"] == ["Ce champ est en lecture seule : il ne peut pas être fourni."]
    assert erreurs["couleur"] == ["Champ inconnu : il n'est pas accepté ici."]
    assert not LettreDeCommande.objects.exists()


def test_refused_fields_come_with_the_other_field_errors_at_once(monde, beneficiaire_de, client_de):
    reponse = _creer(client_de(monde.prescripteur), beneficiaire_de(), monde.marche, date_debut="n'importe", x=1)
    assert reponse.status_code == 400
    assert set(reponse.json()) == {"date_debut", "x"}


def test_an_action_refuses_an_unknown_field_too(monde, beneficiaire_de, client_de):
    """Not only the lettre de commande: every write goes through the same serializers."""
    ldc = LettreDeCommande.objects.get(
        pk=_creer(client_de(monde.prescripteur), beneficiaire_de(), monde.marche).json()["id"]
    )
    reponse = client_de(monde.responsable).post(
        f"/api/lettres-de-commande/{ldc.pk}/referent/",
        {"referent": monde.referent.user.pk, "notifier": False},
        content_type="application/json",
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"notifier": ["Champ inconnu : il n'est pas accepté ici."]}
    ldc.prestation.refresh_from_db()
    assert ldc.prestation.referent is None


def test_pre01_a_marche_outside_the_prescripteurs_territory_gives_the_territorial_reason(
    monde, beneficiaire_de, client_de
):
    aisne = MarcheFactory(reference="MOV-AISNE", departements=Departement.objects.filter(code="02"))
    reponse = _creer(client_de(monde.prescripteur), beneficiaire_de(), aisne)
    assert reponse.status_code == 400
    assert reponse.json()["marche"] == [
        "Ce marché n'est pas disponible : il ne couvre aucun des départements de votre organisation (PRE-01)."
    ]
    assert not LettreDeCommande.objects.exists()


def test_an_unknown_marche_number_is_refused_without_quoting_it_back(monde, beneficiaire_de, client_de):
    reponse = _creer(client_de(monde.prescripteur), beneficiaire_de(), 999999)
    assert reponse.status_code == 400
    assert reponse.json()["marche"] == ["Aucun objet de ce numéro dans votre périmètre."]
