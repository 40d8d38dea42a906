"""/territoires/communes/: the commune picker of the bénéficiaire form."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from comptes.models import Role

pytestmark = pytest.mark.django_db

URL = reverse("territoires:communes")


@pytest.fixture
def client(client_de, membre):
    return client_de(membre(Role.PRESCRIPTEUR))


def options(reponse) -> list[tuple[str, str]]:
    return re.findall(r'<option value="(\d[\dAB]\d{3})"[^>]*>([^<]+)</option>', reponse.content.decode())


def test_moulins_lists_the_exact_names_first(client):
    resultat = options(client.get(URL, {"q": "Moulins"}))

    assert resultat[:3] == [("02530", "Moulins (02)"), ("03190", "Moulins (03)"), ("35198", "Moulins (35)")]
    assert ("57487", "Moulins-lès-Metz (57)") in resultat
    assert len(resultat) <= 20


def test_accents_case_and_hyphens_are_ignored(client):
    assert ("42218", "Saint-Étienne (42)") in options(client.get(URL, {"q": "saint etienne"}))
    assert ("42218", "Saint-Étienne (42)") in options(client.get(URL, {"q": "SAINT-ÉTIENNE"}))


def test_search_by_postal_code_prefix(client):
    resultat = options(client.get(URL, {"q": "03000"}))

    assert ("03190", "Moulins (03)") in resultat
    assert all(code.startswith("03") for code, _ in resultat)


def test_at_most_twenty_results(client):
    assert len(options(client.get(URL, {"q": "sa"}))) == 20


def test_a_short_query_asks_for_more_letters(client):
    reponse = client.get(URL, {"q": "m"})

    assert options(reponse) == []
    assert "Saisissez au moins 2 caractères" in reponse.content.decode()


def test_no_match_is_said(client):
    assert "Aucune commune trouvée pour « Xyzzy »" in client.get(URL, {"q": "Xyzzy"}).content.decode()


def test_json_variant(client):
    resultats = client.get(URL, {"q": "moulins-l", "format": "json"}).json()["results"]

    assert resultats[0] == {
        "code_insee": "57487",
        "nom": "Moulins-lès-Metz",
        "departement": "57",
        "codes_postaux": ["57160"],
        "libelle": "Moulins-lès-Metz (57)",
    }


def test_anonymous_visitor_is_sent_to_login():
    assert Client().get(URL, {"q": "Moulins"}).status_code == 302
