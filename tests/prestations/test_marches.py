"""Marchés managed by the administrator: validation in the admin, scoped reads in the API."""

import datetime

import pytest
from django.urls import reverse

from comptes.models import Role
from prestations.admin import MarcheAdminForm
from prestations.models import Marche
from territoires.models import Departement
from tests.factories import MarcheFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _form(**champs):
    prestataire = champs.pop("prestataire", None) or OrganisationFactory(prestataire=True)
    financeur = OrganisationFactory(direction_regionale=True)
    data = {
        "reference": "M-NEUF",
        "intitule": "Marché MOV Allier",
        "financeur": financeur.pk,
        "prestataire": prestataire.pk,
        "dispositif": "MOV",
        "departements": [Departement.objects.get(code="03").pk],
        "date_debut": "2026-01-01",
        "date_fin": "2026-12-31",
        "prix_unitaire_ht": "1500.00",
        "taux_tva": "20.00",
        "echeancier": "[]",
    }
    data.update(champs)
    return MarcheAdminForm(data=data)


def test_valid_marche_is_accepted():
    form = _form()
    assert form.is_valid(), form.errors
    marche = form.save()
    assert list(marche.departements.values_list("code", flat=True)) == ["03"]


def test_end_before_start_is_refused():
    form = _form(date_debut="2026-12-31", date_fin="2026-01-01")
    assert not form.is_valid()
    assert form.errors["date_fin"] == ["La fin du marché doit être postérieure à son début."]


def test_price_must_be_positive():
    form = _form(prix_unitaire_ht="0")
    assert not form.is_valid()
    assert "prix_unitaire_ht" in form.errors


def test_vat_rate_is_bounded():
    assert "taux_tva" in _form(taux_tva="120").errors


def test_overlapping_marche_for_same_prestataire_dispositif_departement_is_refused():
    existant = MarcheFactory(date_debut=datetime.date(2026, 6, 1), date_fin=datetime.date(2027, 5, 31))
    form = _form(prestataire=existant.prestataire)
    assert not form.is_valid()
    assert existant.reference in str(form.errors["__all__"])
    # Another département, or overlap explicitly allowed: accepted.
    assert _form(prestataire=existant.prestataire, departements=[Departement.objects.get(code="63").pk]).is_valid()
    assert _form(prestataire=existant.prestataire, chevauchement_autorise="on").is_valid()


def test_pma_marche_needs_a_duration():
    form = _form(dispositif="PMA")
    assert not form.is_valid()
    assert "laisse la durée au marché" in form.errors["duree_prestation_jours"][0]


def test_echeancier_must_be_cumulative_and_end_at_100():
    assert "echeancier" in _form(echeancier='[{"libelle": "Fin", "pourcentage_cumule": 90}]').errors
    ok = _form(
        dispositif="BCA",
        echeancier='[{"libelle": "Entrée", "pourcentage_cumule": 40}, {"libelle": "Fin", "pourcentage_cumule": 100}]',
    )
    assert ok.is_valid(), ok.errors


def test_financeur_must_be_a_financeur_organisation():
    form = _form(financeur=OrganisationFactory(prestataire=True).pk)
    assert not form.is_valid()


def test_admin_page_lists_marches(client_de, membre):
    admin = membre(Role.ADMINISTRATEUR, is_staff=True, is_superuser=True)
    MarcheFactory(reference="MOV-VISIBLE")
    page = client_de(admin).get(reverse("admin:prestations_marche_changelist")).content.decode()
    assert "MOV-VISIBLE" in page


def test_api_marches_are_scoped(client_de, membre):
    a = MarcheFactory(reference="A")
    MarcheFactory(reference="B")
    responsable = membre(Role.RESPONSABLE, organisation=a.prestataire)
    refs = [m["reference"] for m in client_de(responsable).get("/api/marches/").json()["results"]]
    assert refs == ["A"]
    autre = Marche.objects.get(reference="B")
    assert client_de(responsable).get(f"/api/marches/{autre.pk}/").status_code == 404
