"""Browser, issue 4: the référent runs an MOV prestation from contractualisation to a positive
outcome (MOV-05, MOV-09, MOV-12, SOR-01, MOV-13), then the work queue and the case clocks (issue 5)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptes.acteurs import Acteur
from comptes.models import Role
from prestations.commandes import services
from prestations.models import Prestation
from territoires.models import Departement
from tests.factories import BeneficiaireFactory, MarcheFactory, OrganisationFactory
from tests.support.navigateur import se_connecter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dossier_mov(membre):
    """An MOV case that started 30 days ago, its référent designated."""
    agence = OrganisationFactory(agence_france_travail=True, nom="France Travail – Agence de Moulins")
    agence.departements.set(Departement.objects.filter(code="03"))
    prestataire = OrganisationFactory(prestataire=True, nom="Plateforme Mobilité de l'Allier")
    marche = MarcheFactory(prestataire=prestataire, dispositif="MOV", date_debut=datetime.date(2026, 1, 1))
    prescripteur = membre(Role.PRESCRIPTEUR, organisation=agence, email="claire@exemple.test")
    responsable = membre(Role.RESPONSABLE, organisation=prestataire, email="sophie@exemple.test")
    referent = membre(Role.REFERENT, organisation=prestataire, email="julien@exemple.test")
    beneficiaire = BeneficiaireFactory(organisation=agence, prenom="Lucas", nom="Girard")
    debut = timezone.localdate() - datetime.timedelta(days=30)
    ldc = services.creer_lettre_de_commande(
        Acteur(prescripteur.user, prescripteur),
        beneficiaire=beneficiaire,
        marche=marche,
        date_debut=debut,
        accord_beneficiaire=True,
        aujourd_hui=debut,
    )
    services.designer_referent(Acteur(responsable.user, responsable), ldc.prestation, referent.user)
    return Prestation.objects.get(pk=ldc.prestation.pk), debut


def _jour(debut, n, heure="10:00"):
    return f"{debut + datetime.timedelta(days=n):%Y-%m-%d}T{heure}"


def test_mov_referent_runs_the_case_to_a_positive_outcome(page, live_server, dossier_mov, artifacts):
    prestation, debut = dossier_mov
    se_connecter(page, live_server, "julien@exemple.test")

    # The work queue shows the contractualisation to do, already overdue (MOV-03).
    page.get_by_role("link", name="À traiter").first.click()
    expect(page.get_by_test_id("a-traiter")).to_contain_text("Contractualisation à faire au plus tard le")
    expect(page.get_by_test_id("a-traiter")).to_contain_text("En retard")
    page.screenshot(path=artifacts / "a-traiter.png", full_page=True)
    page.get_by_role("link", name="Lucas Girard").first.click()
    expect(page.get_by_test_id("etat")).to_have_text("À contractualiser")

    # Contractualisation, signed (MOV-05).
    bloc = page.locator("#action-contractualisation")
    bloc.get_by_label("Date et heure de l'entretien de contractualisation").fill(_jour(debut, 2))
    bloc.get_by_label("Durée (minutes)").fill("60")
    bloc.get_by_label("Oui, le contrat est signé (MOV-05)").check()
    bloc.get_by_role("button", name="Enregistrer la contractualisation").click()
    expect(page.get_by_test_id("etat")).to_have_text("En cours")

    # An entretien in the future is refused at the field, then a real one is logged.
    bloc = page.locator("#action-entretien")
    bloc.get_by_label("Date et heure").fill(_jour(debut, 40))
    bloc.get_by_label("Durée (minutes)").fill("45")
    bloc.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(page.locator("#action-entretien")).to_contain_text("ne peut pas être future")
    bloc = page.locator("#action-entretien")
    bloc.get_by_label("Date et heure").fill(_jour(debut, 8))
    bloc.get_by_label("Durée (minutes)").fill("45")
    bloc.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(page.get_by_test_id("entretiens")).to_contain_text(f"{debut + datetime.timedelta(days=8):%d/%m/%Y}")

    # A 3-day illness suspension (MOV-09): the end date does not move (MOV-07).
    page.locator("#action-suspension summary").click()
    bloc = page.locator("#action-suspension")
    bloc.get_by_label("Motif de la suspension").select_option(label="Maladie")
    bloc.get_by_label("Premier jour de la suspension").fill(f"{debut + datetime.timedelta(days=10):%Y-%m-%d}")
    bloc.get_by_label("Dernier jour de la suspension").fill(f"{debut + datetime.timedelta(days=12):%Y-%m-%d}")
    bloc.get_by_role("button", name="Déclarer la suspension").click()
    expect(page.locator("#suspensions")).to_contain_text(f"{debut + datetime.timedelta(days=12):%d/%m/%Y}")

    # A one-week période en entreprise (MOV-12).
    page.locator("#action-periode summary").click()
    bloc = page.locator("#action-periode")
    bloc.get_by_label("Entreprise d'accueil").fill("Boulangerie Dumas")
    bloc.get_by_label("SIRET").fill("321 456 782 00002")
    bloc.get_by_label("Début de la période").fill(f"{debut + datetime.timedelta(days=14):%Y-%m-%d}")
    bloc.get_by_label("Fin de la période").fill(f"{debut + datetime.timedelta(days=20):%Y-%m-%d}")
    bloc.get_by_label("Nom du tuteur").fill("Paul Dumas")
    bloc.get_by_role("button", name="Enregistrer la période").click()
    expect(page.locator("#periodes")).to_contain_text("Boulangerie Dumas")
    page.screenshot(path=artifacts / "dossier-mov-en-cours.png", full_page=True)

    # A positive outcome: CDI full time (SOR-01) opens the follow-up (MOV-13).
    page.locator("#action-sortie summary").click()
    bloc = page.locator("#action-sortie")
    bloc.get_by_label("Type de sortie").select_option(label="Emploi")
    bloc.get_by_label("Date de sortie").fill(f"{debut + datetime.timedelta(days=28):%Y-%m-%d}")
    bloc.get_by_label("Employeur, organisme ou entreprise").fill("Boulangerie Dumas")
    bloc.get_by_label("Type de contrat").select_option(label="CDI")
    bloc.get_by_label("Temps plein ?").select_option(label="Oui")
    bloc.get_by_label("Heures par mois").fill("151.67")
    bloc.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_test_id("etat")).to_have_text("Suivi dans l'emploi")
    expect(page.get_by_test_id("sortie-classement")).to_contain_text("positive")
    expect(page.get_by_test_id("fenetres-suivi")).to_be_visible()
    expect(page.get_by_test_id("horloges")).to_contain_text("Entretien de suivi")
    expect(page.get_by_test_id("journal")).to_contain_text("Contrat d'accompagnement signé")
    page.screenshot(path=artifacts / "dossier-mov-suivi-emploi.png", full_page=True)

    prestation.refresh_from_db()
    assert prestation.etat == "suivi_emploi"
    assert prestation.date_fin == debut + datetime.timedelta(days=179)  # MOV-07: never moved
