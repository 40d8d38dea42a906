"""Browser, issue 14: the référent drafts a bilan intermédiaire from the case, previews it as
PDF, asks for the signatures, gets the bénéficiaire's typed signature (keyboard only) and
their own drawn on the pad with the mouse, transmits it; the prescripteur downloads it.
Screenshots at desktop (1366 px) and phone (390 px) widths under test-artifacts/livrables/."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptes.acteurs import Acteur
from comptes.models import Role
from config.celery import app as celery_app
from livrables.models import Livrable, Signature
from prestations.commandes import services
from prestations.models import Prestation
from prestations.suivi import contractualisation, entretiens
from territoires.models import Departement
from tests.conftest import MOT_DE_PASSE
from tests.factories import BeneficiaireFactory, MarcheFactory, OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LARGEURS = {"bureau": 1366, "telephone": 390}


@pytest.fixture
def scellement_immediat():
    """The sealing task runs in the request that queued it (no worker in the tests)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def dossier(membre, settings, tmp_path):
    """An MOV case in phase 1 for seven weeks: its contract signed, an entretien a week."""
    settings.MEDIA_ROOT = tmp_path
    agence = OrganisationFactory(agence_france_travail=True, nom="France Travail – Agence de Moulins")
    agence.departements.set(Departement.objects.filter(code="03"))
    prestataire = OrganisationFactory(prestataire=True, nom="Plateforme Mobilité de l'Allier")
    marche = MarcheFactory(prestataire=prestataire, dispositif="MOV", date_debut=datetime.date(2026, 1, 1))
    prescripteur = membre(Role.PRESCRIPTEUR, organisation=agence, email="claire@exemple.test")
    responsable = membre(Role.RESPONSABLE, organisation=prestataire, email="sophie@exemple.test")
    referent = membre(
        Role.REFERENT, organisation=prestataire, email="julien@exemple.test", first_name="Julien", last_name="Mercier"
    )
    beneficiaire = BeneficiaireFactory(
        organisation=agence, prenom="Lucas", nom="Girard", email="lucas.girard@exemple.test", adresse="3 place d'Allier"
    )
    debut = timezone.localdate() - datetime.timedelta(days=50)
    ldc = services.creer_lettre_de_commande(
        Acteur(prescripteur.user, prescripteur),
        beneficiaire=beneficiaire,
        marche=marche,
        date_debut=debut,
        accord_beneficiaire=True,
        aujourd_hui=debut,
    )
    acteur = Acteur(referent.user, referent)
    services.designer_referent(Acteur(responsable.user, responsable), ldc.prestation, referent.user)
    heure = datetime.time(10, tzinfo=timezone.get_current_timezone())
    p = contractualisation.contractualiser(
        acteur,
        Prestation.objects.get(pk=ldc.prestation.pk),
        debut=datetime.datetime.combine(debut + datetime.timedelta(days=1), heure),
        duree_minutes=60,
        modalite="presentiel",
        signe=True,
    )
    for semaine in range(1, 8):
        p = Prestation.objects.get(pk=p.pk)
        entretiens.enregistrer_entretien(
            acteur,
            p,
            debut=datetime.datetime.combine(debut + datetime.timedelta(days=1 + 7 * semaine), heure),
            duree_minutes=45,
            modalite="presentiel",
            presence="present",
        )
    return Prestation.objects.get(pk=p.pk)


def _connexion(page, live_server, email):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("accueil-role")).to_be_visible()


def _captures(page, artifacts, nom):
    """The page at both widths, full length."""
    dossier = artifacts / "livrables"
    dossier.mkdir(exist_ok=True)
    for largeur_nom, largeur in LARGEURS.items():
        page.set_viewport_size({"width": largeur, "height": 900})
        page.screenshot(path=dossier / f"{nom}-{largeur_nom}.png", full_page=True)
    page.set_viewport_size({"width": LARGEURS["bureau"], "height": 900})


def test_liv01_le_referent_redige_fait_signer_et_transmet_le_bilan_intermediaire(
    page, browser, live_server, dossier, artifacts, scellement_immediat
):
    page.set_viewport_size({"width": LARGEURS["bureau"], "height": 900})
    _connexion(page, live_server, "julien@exemple.test")
    page.goto(f"{live_server.url}/prestations/{dossier.pk}/")
    carte = page.get_by_test_id("livrable-bilan_intermediaire")
    expect(carte).to_contain_text("requis")
    expect(page.get_by_test_id("emargements")).to_contain_text("sans preuve")
    _captures(page, artifacts, "1-dossier")

    # Draft, pre-filled from the case.
    carte.get_by_test_id("rediger-bilan_intermediaire").click()
    expect(page.get_by_role("heading", name="Bilan intermédiaire")).to_be_visible()
    actions = page.get_by_label("Actions déjà engagées dans la recherche d'emploi")
    expect(actions).to_contain_text("entretiens tenus depuis le")
    page.get_by_label("Pistes d'emploi identifiées").fill(
        "Préparateur de commandes chez Logistique du Bourbonnais ; cariste (CACES en cours)."
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré")
    _captures(page, artifacts, "2-brouillon")

    # The preview is the PDF itself.
    apercu = page.request.get(live_server.url + page.get_by_test_id("apercu").get_attribute("href"))
    assert apercu.ok and apercu.headers["content-type"] == "application/pdf" and apercu.body().startswith(b"%PDF-")

    page.get_by_test_id("soumettre").click()
    expect(page.get_by_test_id("etat")).to_have_text("À signer")

    # The bénéficiaire signs on the référent's screen, with the keyboard only.
    page.get_by_test_id("signer-beneficiaire").click()
    nom = page.get_by_label("Nom et prénom du signataire")
    nom.focus()
    page.keyboard.type("Lucas Girard")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox")).to_be_checked()
    _captures(page, artifacts, "3-signature-beneficiaire")
    nom.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("signatures")).to_contain_text("Lucas Girard")

    # The référent signs and draws a signature with the mouse.
    page.get_by_test_id("signer-referent").click()
    page.get_by_label("Nom et prénom du signataire").fill("Julien Mercier")
    page.get_by_role("checkbox").check()
    page.get_by_text("Ajouter une signature dessinée (facultatif)").click()
    zone = page.get_by_test_id("pad").bounding_box()
    page.mouse.move(zone["x"] + 20, zone["y"] + zone["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(zone["x"] + 20 + i * 25, zone["y"] + zone["height"] * (0.3 if i % 2 else 0.7), steps=4)
    page.mouse.up()
    _captures(page, artifacts, "4-signature-dessinee")
    page.get_by_test_id("signer").click()

    # Signed by both: sealed (PDF/A, the platform's seal), then transmitted.
    expect(page.get_by_test_id("etat")).to_have_text("Signé")
    livrable = Livrable.objects.get(type="bilan_intermediaire")
    dessin = Signature.objects.get(livrable=livrable, role="referent").dessin
    assert dessin.startswith("data:image/png;base64,") and len(dessin) > 500
    assert Signature.objects.get(livrable=livrable, role="beneficiaire").dessin == ""
    page.get_by_test_id("transmettre").click()
    expect(page.get_by_test_id("transmis")).to_contain_text("Transmis")
    expect(page.get_by_test_id("verification")).to_contain_text("scellé par la plateforme, inchangé")
    _captures(page, artifacts, "5-transmis")

    # The prescripteur downloads it.
    contexte = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True)
    prescripteur = contexte.new_page()
    prescripteur.set_viewport_size({"width": LARGEURS["bureau"], "height": 900})
    _connexion(prescripteur, live_server, "claire@exemple.test")
    prescripteur.goto(f"{live_server.url}/prestations/{dossier.pk}/")
    carte = prescripteur.get_by_test_id("livrable-bilan_intermediaire")
    expect(carte).to_contain_text("Transmis")
    _captures(prescripteur, artifacts, "6-prescripteur")
    with prescripteur.expect_download() as telechargement:
        carte.get_by_test_id("telecharger-bilan_intermediaire").click()
    contenu = open(telechargement.value.path(), "rb").read()  # noqa: SIM115
    livrable.refresh_from_db()
    assert contenu == livrable.fichier.open("rb").read() and contenu.startswith(b"%PDF-")
    contexte.close()
