"""Browser: a prescripteur creates a bénéficiaire, picking the commune with the HTMX search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from beneficiaires.models import Beneficiaire
from comptes.models import Role
from tests.factories import MOT_DE_PASSE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_prescripteur_creates_a_beneficiaire_picking_moulins(page, live_server, membre, artifacts):
    membre(Role.PRESCRIPTEUR, email="prescriptrice@exemple.test")
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("prescriptrice@exemple.test")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(f"{live_server.url}/beneficiaires/")
    page.get_by_role("link", name="Créer un bénéficiaire").first.click()
    page.get_by_label("Madame").check()
    page.get_by_label("Nom d'usage").fill("Lefèvre")
    page.get_by_label("Prénom").fill("Élodie")
    page.get_by_label("Date de naissance").fill("1990-04-12")
    page.get_by_label("Recherche par nom ou code postal").fill("Moulins")
    page.get_by_label("Commune de résidence").select_option(label="Moulins (03)")
    page.get_by_label("Situation").select_option(label="Bénéficiaire du RSA")
    page.screenshot(path=artifacts / "beneficiaire-formulaire.png", full_page=True)
    page.get_by_role("button", name="Créer le bénéficiaire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Madame Élodie Lefèvre")
    expect(page.get_by_role("status")).to_contain_text("a été créé")
    assert Beneficiaire.objects.get().commune_id == "03190"
    page.screenshot(path=artifacts / "beneficiaire-fiche.png", full_page=True)
