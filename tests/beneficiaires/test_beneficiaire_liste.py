"""The bénéficiaires list: search, pagination, scope (principle 5) and query count (principle 9)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from comptes.models import Role
from tests.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db

URL_LISTE = reverse("beneficiaires:liste")


def noms_affiches(reponse) -> list[str]:
    return re.findall(r'<a href="/beneficiaires/\d+/">([^<]+)</a>', reponse.content.decode())


@pytest.fixture
def trois(agences):
    org = agences.a.organisation
    return [
        BeneficiaireFactory(
            nom="Lefèvre", prenom="Élodie", date_naissance=datetime.date(1990, 4, 12), organisation=org
        ),
        BeneficiaireFactory(
            nom="Durand",
            prenom="Paul",
            date_naissance=datetime.date(1985, 1, 2),
            identifiant_ft="7654321B",
            organisation=org,
        ),
        BeneficiaireFactory(
            nom="Martin",
            prenom="Anne-Sophie",
            nom_naissance="Lefebvre",
            date_naissance=datetime.date(1990, 4, 12),
            organisation=org,
        ),
    ]


@pytest.mark.parametrize(
    ("criteres", "attendus"),
    [
        ({"q": "lefev"}, ["Lefèvre Élodie"]),
        ({"q": "ELODIE"}, ["Lefèvre Élodie"]),
        ({"q": "élodie lefèvre"}, ["Lefèvre Élodie"]),
        ({"q": "anne sophie"}, ["Martin Anne-Sophie"]),
        ({"q": "lefebvre"}, ["Martin Anne-Sophie"]),  # birth name
        ({"date_naissance": "12/04/1990"}, ["Lefèvre Élodie", "Martin Anne-Sophie"]),
        ({"date_naissance": "1990-04-12", "q": "martin"}, ["Martin Anne-Sophie"]),
        ({"identifiant_ft": "7654321b"}, ["Durand Paul"]),
        ({"identifiant_ft": "7654"}, ["Durand Paul"]),
        ({}, ["Durand Paul", "Lefèvre Élodie", "Martin Anne-Sophie"]),
    ],
)
def test_search_by_name_birth_date_or_identifiant(client_de, agences, trois, criteres, attendus):
    reponse = client_de(agences.a).get(URL_LISTE, criteres)

    assert noms_affiches(reponse) == attendus


def test_search_without_result_says_so(client_de, agences, trois):
    html = client_de(agences.a).get(URL_LISTE, {"q": "zzz"}).content.decode()

    assert "Aucun bénéficiaire ne correspond à votre recherche." in html


def test_a_badly_typed_birth_date_is_explained(client_de, agences, trois):
    html = client_de(agences.a).get(URL_LISTE, {"date_naissance": "31/02/1990"}).content.decode()

    assert "Saisissez une date au format jj/mm/aaaa." in html


def test_empty_list_invites_the_prescripteur_to_create(client_de, agences):
    html = client_de(agences.a).get(URL_LISTE).content.decode()

    assert "Aucun bénéficiaire pour l'instant." in html
    assert f'href="{reverse("beneficiaires:creer")}"' in html


def test_referent_gets_no_create_button(client_de, membre):
    html = client_de(membre(Role.REFERENT)).get(URL_LISTE).content.decode()

    assert reverse("beneficiaires:creer") not in html


def test_twenty_five_per_page(client_de, agences):
    BeneficiaireFactory.create_batch(30, organisation=agences.a.organisation)
    client = client_de(agences.a)

    assert len(noms_affiches(client.get(URL_LISTE))) == 25
    deuxieme = client.get(URL_LISTE, {"page": 2})
    assert len(noms_affiches(deuxieme)) == 5
    assert "Page 2 sur 2" in deuxieme.content.decode()


def test_pagination_keeps_the_search(client_de, agences):
    BeneficiaireFactory.create_batch(26, organisation=agences.a.organisation, prenom="Zoé")

    html = client_de(agences.a).get(URL_LISTE, {"q": "zoe"}).content.decode()

    assert "?q=zoe&amp;page=2" in html


# --- Scope


def test_prescripteur_does_not_see_another_agencys_beneficiaire(client_de, agences):
    de_b = BeneficiaireFactory(organisation=agences.b.organisation, nom="Bernard")
    BeneficiaireFactory(organisation=agences.a.organisation, nom="Arnaud")
    client = client_de(agences.a)

    assert [nom.split()[0] for nom in noms_affiches(client.get(URL_LISTE))] == ["Arnaud"]
    assert client.get(reverse("beneficiaires:detail", args=[de_b.pk])).status_code == 404
    assert client.get(reverse("beneficiaires:modifier", args=[de_b.pk])).status_code == 404


def test_administrateur_sees_every_beneficiaire(client_de, membre, agences):
    BeneficiaireFactory(organisation=agences.b.organisation, nom="Bernard")
    BeneficiaireFactory(organisation=agences.a.organisation, nom="Arnaud")

    reponse = client_de(membre(Role.ADMINISTRATEUR)).get(URL_LISTE)

    assert [nom.split()[0] for nom in noms_affiches(reponse)] == ["Arnaud", "Bernard"]


# --- Principle 9: constant number of queries


def test_list_query_count_is_pinned_and_constant(client_de, agences, django_assert_num_queries):
    BeneficiaireFactory.create_batch(3, organisation=agences.a.organisation)
    client = client_de(agences.a)
    client.get(URL_LISTE)  # warm the session

    # session, user, memberships, unread notifications (header), count, page of rows (commune and département joined)
    with django_assert_num_queries(6):
        reponse = client.get(URL_LISTE)
    assert reponse.status_code == 200

    BeneficiaireFactory.create_batch(27, organisation=agences.a.organisation)
    with django_assert_num_queries(6):
        assert len(noms_affiches(client.get(URL_LISTE))) == 25
