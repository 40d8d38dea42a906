"""Principle 5: nobody sees another organisation's data (404)."""

import pytest
from django.urls import reverse

from comptes.models import Role
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deux_organisations(membre):
    a = membre(Role.REFERENT, organisation=OrganisationFactory(prestataire=True, nom="Prestataire A"))
    b = membre(Role.REFERENT, organisation=OrganisationFactory(prestataire=True, nom="Prestataire B"))
    return a, b


def test_user_of_a_cannot_open_organisation_b(client_de, deux_organisations):
    a, b = deux_organisations
    client = client_de(a)
    assert client.get(reverse("comptes:organisation", args=[a.organisation.pk])).status_code == 200
    assert client.get(reverse("comptes:organisation", args=[b.organisation.pk])).status_code == 404


def test_organisation_b_is_in_no_list_of_a(client_de, deux_organisations):
    a, b = deux_organisations
    client = client_de(a)
    page = client.get(reverse("comptes:organisations")).content.decode()
    assert "Prestataire A" in page
    assert "Prestataire B" not in page
    api = client.get("/api/organisations/").json()
    assert [o["nom"] for o in api["results"]] == ["Prestataire A"]


def test_api_detail_of_another_organisation_is_404(client_de, deux_organisations):
    a, b = deux_organisations
    client = client_de(a)
    assert client.get(f"/api/organisations/{a.organisation.pk}/").status_code == 200
    assert client.get(f"/api/organisations/{b.organisation.pk}/").status_code == 404


def test_token_client_acts_for_its_own_organisation_only(client, deux_organisations):
    from rest_framework.authtoken.models import Token

    a, b = deux_organisations
    token = Token.objects.create(user=a.user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get(f"/api/organisations/{b.organisation.pk}/", **headers).status_code == 404
    moi = client.get("/api/moi/", **headers).json()
    assert moi["membership_active"]["organisation"]["nom"] == "Prestataire A"
    # Naming an organisation the user does not belong to gives no acteur at all.
    refuse = client.get("/api/organisations/", HTTP_X_ORGANISATION=str(b.organisation.pk), **headers)
    assert refuse.status_code == 403


def test_administrator_sees_every_organisation(client_de, deux_organisations, membre):
    admin = membre(Role.ADMINISTRATEUR, is_staff=True)
    page = client_de(admin).get(reverse("comptes:organisations")).content.decode()
    assert "Prestataire A" in page and "Prestataire B" in page


def test_organisations_list_query_count_is_constant(client_de, deux_organisations, membre, django_assert_num_queries):
    admin = membre(Role.ADMINISTRATEUR, is_staff=True)
    client = client_de(admin)
    client.get(reverse("comptes:organisations"))
    with django_assert_num_queries(7) as ctx:
        client.get(reverse("comptes:organisations"))
    for _ in range(10):
        OrganisationFactory()
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(reverse("comptes:organisations"))
