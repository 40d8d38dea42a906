"""/api/beneficiaires/: scope, search, creation rules and French errors."""

from __future__ import annotations

import datetime

import pytest

from beneficiaires.models import Beneficiaire
from beneficiaires.validators import MESSAGE_IDENTIFIANT_FT, MESSAGE_NIR, MESSAGE_TELEPHONE
from comptes.models import Role
from tests.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db

URL = "/api/beneficiaires/"


@pytest.fixture
def donnees():
    return {
        "civilite": "monsieur",
        "nom": "Durand",
        "prenom": "Paul",
        "date_naissance": "1985-01-02",
        "identifiant_ft": "7654321b",
        "telephone": "0612345678",
        "commune": "03190",
        "statut": "rsa",
    }


def test_create_by_prescripteur(client_de, agences, donnees):
    reponse = client_de(agences.a).post(URL, donnees, content_type="application/json")

    assert reponse.status_code == 201, reponse.json()
    corps = reponse.json()
    assert corps["identifiant_ft"] == "7654321B"
    assert corps["telephone"] == "06 12 34 56 78"
    assert corps["departement"] == "03"
    assert corps["commune_nom"] == "Moulins"
    assert corps["organisation"] == agences.a.organisation.pk
    assert Beneficiaire.objects.get().cree_par == agences.a.user


def test_create_with_bad_input_lists_french_errors_by_field(client_de, agences, donnees):
    reponse = client_de(agences.a).post(
        URL,
        {
            **donnees,
            "identifiant_ft": "12AB",
            "telephone": "12",
            "projet_professionnel": "NIR 1 85 05 78 006 084 36",
            "commune": "99999",
            "statut": "inconnu",
        },
        content_type="application/json",
    )

    assert reponse.status_code == 400
    erreurs = reponse.json()
    assert erreurs["identifiant_ft"] == [MESSAGE_IDENTIFIANT_FT]
    assert erreurs["telephone"] == [MESSAGE_TELEPHONE]
    assert erreurs["projet_professionnel"] == [MESSAGE_NIR]
    assert erreurs["commune"] == ["Commune inconnue : aucun code INSEE « 99999 »."]
    assert erreurs["statut"][0].startswith("Ce choix n'est pas valide. Valeurs admises : demandeur_emploi, rsa")
    assert not Beneficiaire.objects.exists()


def test_create_applies_the_model_rules(client_de, agences, donnees):
    reponse = client_de(agences.a).post(
        URL, {**donnees, "statut": "demandeur_emploi", "date_naissance": "2027-01-01"}, content_type="application/json"
    )

    assert reponse.status_code == 400
    assert reponse.json() == {
        "date_naissance": ["La date de naissance ne peut pas être dans le futur."],
        "categorie_demandeur": ["Indiquez la catégorie d'inscription du demandeur d'emploi (A à E)."],
    }


def test_create_a_look_alike_needs_confirmation(client_de, agences, donnees):
    existant = BeneficiaireFactory(organisation=agences.a.organisation, identifiant_ft="7654321B")
    client = client_de(agences.a)

    refus = client.post(URL, donnees, content_type="application/json")

    assert refus.status_code == 400
    assert [d["id"] for d in refus.json()["doublons"]] == [existant.pk]
    assert Beneficiaire.objects.count() == 1

    accepte = client.post(URL, {**donnees, "confirmer_doublon": True}, content_type="application/json")

    assert accepte.status_code == 201
    assert Beneficiaire.objects.count() == 2


@pytest.mark.parametrize("role", [Role.REFERENT, Role.FINANCEUR, Role.GESTIONNAIRE_FINANCIER])
def test_only_a_prescripteur_creates_through_the_api(client_de, membre, donnees, role):
    reponse = client_de(membre(role)).post(URL, donnees, content_type="application/json")

    assert reponse.status_code == 403
    assert not Beneficiaire.objects.exists()


def test_update_by_prescripteur(client_de, agences):
    beneficiaire = BeneficiaireFactory(organisation=agences.a.organisation)

    reponse = client_de(agences.a).patch(
        f"{URL}{beneficiaire.pk}/", {"commune": "63113", "niveau_francais": "A2"}, content_type="application/json"
    )

    assert reponse.status_code == 200, reponse.json()
    beneficiaire.refresh_from_db()
    assert (beneficiaire.departement_id, beneficiaire.niveau_francais) == ("63", "A2")


def test_update_out_of_scope_is_404(client_de, agences):
    beneficiaire = BeneficiaireFactory(organisation=agences.b.organisation)

    reponse = client_de(agences.a).patch(f"{URL}{beneficiaire.pk}/", {"nom": "X"}, content_type="application/json")

    assert reponse.status_code == 404


def test_list_and_detail_are_scoped(client_de, agences):
    a = BeneficiaireFactory(organisation=agences.a.organisation, nom="Arnaud")
    b = BeneficiaireFactory(organisation=agences.b.organisation, nom="Bernard")
    client = client_de(agences.a)

    assert [r["nom"] for r in client.get(URL).json()["results"]] == ["Arnaud"]
    assert client.get(f"{URL}{a.pk}/").status_code == 200
    assert client.get(f"{URL}{b.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("parametres", "attendus"),
    [
        ({"q": "lefevre"}, ["Lefèvre"]),
        ({"date_naissance": "1985-01-02"}, ["Durand"]),
        ({"date_naissance": "02/01/1985"}, ["Durand"]),
        ({"identifiant_ft": "7654321B"}, ["Durand"]),
    ],
)
def test_list_search(client_de, agences, parametres, attendus):
    org = agences.a.organisation
    BeneficiaireFactory(organisation=org, nom="Lefèvre", date_naissance=datetime.date(1990, 4, 12))
    BeneficiaireFactory(
        organisation=org, nom="Durand", date_naissance=datetime.date(1985, 1, 2), identifiant_ft="7654321B"
    )

    reponse = client_de(agences.a).get(URL, parametres)

    assert [r["nom"] for r in reponse.json()["results"]] == attendus


def test_list_search_with_a_bad_date_is_400(client_de, agences):
    reponse = client_de(agences.a).get(URL, {"date_naissance": "hier"})

    assert reponse.status_code == 400
    assert reponse.json() == {"date_naissance": ["Saisissez une date au format jj/mm/aaaa."]}


def test_api_list_query_count_is_constant(client_de, agences, django_assert_max_num_queries):
    BeneficiaireFactory.create_batch(3, organisation=agences.a.organisation)
    client = client_de(agences.a)
    with django_assert_max_num_queries(10) as petit:
        client.get(URL)
    BeneficiaireFactory.create_batch(20, organisation=agences.a.organisation)
    with django_assert_max_num_queries(len(petit.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 23
