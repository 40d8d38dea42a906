"""Browser, issue 3: the prescripteur creates a bénéficiaire and an MOV lettre de commande;
the responsable of the prestataire sees it and designates a référent (PRE-01, PRE-02, MOV-04)."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from comptes.models import Role
from prestations.models import LettreDeCommande
from territoires.models import Departement
from tests.factories import MarcheFactory, OrganisationFactory
from tests.support.navigateur import se_connecter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pre01_prescripteur_orders_mov_and_responsable_designates_referent(page, live_server, membre, artifacts):
    agence = OrganisationFactory(agence_france_travail=True, nom="France Travail – Agence de Moulins")
    agence.departements.set(Departement.objects.filter(code="03"))
    prestataire = OrganisationFactory(prestataire=True, nom="Plateforme Mobilité de l'Allier")
    MarcheFactory(
        prestataire=prestataire, dispositif="MOV", reference="FT-MOV-03", date_debut=datetime.date(2026, 1, 1)
    )
    membre(Role.PRESCRIPTEUR, organisation=agence, email="claire@exemple.test")
    membre(Role.RESPONSABLE, organisation=prestataire, email="sophie@exemple.test")
    membre(
        Role.REFERENT, organisation=prestataire, email="julien@exemple.test", first_name="Julien", last_name="Moreau"
    )

    # The prescripteur creates the bénéficiaire...
    se_connecter(page, live_server, "claire@exemple.test")
    page.get_by_role("link", name="Bénéficiaires").first.click()
    page.get_by_role("link", name="Créer un bénéficiaire").first.click()
    page.get_by_label("Monsieur").check()
    page.get_by_label("Nom d'usage").fill("Girard")
    page.get_by_label("Prénom").fill("Lucas")
    page.get_by_label("Date de naissance").fill("1991-04-12")
    page.get_by_label("Recherche par nom ou code postal").fill("Moulins")
    page.get_by_label("Commune de résidence").select_option(label="Moulins (03)")
    page.get_by_label("Situation").select_option(label="Bénéficiaire du RSA")
    page.get_by_role("button", name="Créer le bénéficiaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monsieur Lucas Girard")

    # ... then the lettre de commande, first forgetting the agreement.
    page.get_by_role("link", name="Prescrire une prestation").click()
    page.get_by_label("Dispositif").select_option("MOV")
    page.get_by_label("Marché (prestataire)").select_option(label=page.locator("#id_marche option").nth(1).inner_text())
    debut = datetime.date.today() + datetime.timedelta(days=3)
    page.get_by_label("Date de début").fill(debut.isoformat())
    fin = debut + datetime.timedelta(days=179)
    expect(page.locator("#apercu-fin")).to_contain_text(f"Fin prévue le {fin:%d/%m/%Y}")
    page.get_by_label("Motivation de la prescription").fill("Freins à lever avant la reprise d'emploi.")
    page.get_by_role("button", name="Émettre la lettre de commande").click()
    expect(page.locator("#id_accord_beneficiaire-erreur")).to_contain_text(
        "L'accord du bénéficiaire doit être recueilli"
    )
    page.screenshot(path=artifacts / "ldc-refus-accord.png", full_page=True)
    page.get_by_label("Le bénéficiaire a donné son accord pour cette prestation").check()
    page.get_by_role("button", name="Émettre la lettre de commande").click()
    expect(page.get_by_role("status").first).to_contain_text("émise et transmise à Plateforme Mobilité de l'Allier")
    ldc = LettreDeCommande.objects.get()
    page.screenshot(path=artifacts / "ldc-detail-prescripteur.png", full_page=True)

    # It is in the prescripteur's list.
    page.get_by_role("link", name="Lettres de commande").first.click()
    expect(page.get_by_test_id("ldc-liste")).to_contain_text(ldc.numero)
    page.screenshot(path=artifacts / "ldc-liste-prescripteur.png", full_page=True)
    page.get_by_role("button", name="Se déconnecter").click()

    # The responsable sees it (bell + list) and designates the référent.
    se_connecter(page, live_server, "sophie@exemple.test")
    expect(page.get_by_test_id("cloche")).to_contain_text("1")
    page.get_by_role("link", name="Lettres de commande reçues").first.click()
    expect(page.get_by_test_id("ldc-liste")).to_contain_text("Lucas Girard")
    page.get_by_role("link", name=ldc.numero).click()
    expect(page.get_by_test_id("etat")).to_have_text("En attente de référent")
    page.locator("#id_referent").select_option(label="Julien Moreau")
    page.get_by_role("button", name="Désigner").click()
    expect(page.get_by_test_id("referent")).to_have_text("Julien Moreau")
    expect(page.get_by_test_id("etat")).to_have_text("À contractualiser")
    expect(page.get_by_test_id("journal")).to_contain_text("Julien Moreau désigné référent")
    page.screenshot(path=artifacts / "ldc-referent-designe.png", full_page=True)
