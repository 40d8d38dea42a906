"""HTML pages of the prestation workflow (issue 4): « Mes prestations » (scope, filters,
sort), who reaches a case page and its actions, navigation and pinned query counts.

Everything goes through the Django test client; the cases are set up with the
``dossiers`` fixture, through the services and the workflow (never by writing
``etat``). Rule ids name the tests where a rule is involved.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.models import Role
from prestations.models import Entretien, Etat, Prestation
from prestations.suivi import parcours, suspensions
from tests.prestations.dossiers import DEBUT, PARIS, acteur, recharger
from tests.support.pages_suivi import page_du_dossier, poster_entretien, saisie_locale, url_suivi

pytestmark = pytest.mark.django_db


# --- "Mes prestations": scope, filters, sort ------------------------------------------------


def test_liste_du_referent_ne_montre_que_ses_prestations(monde, dossiers, client_de, membre):
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    a_moi = dossiers.signe_ce_matin(nom="Aubert-Témoin")
    dossiers.signe_ce_matin(referent=collegue, nom="Bernard-Témoin")
    dossiers.signe_ce_matin(marche=monde.marche_y, nom="Chevalier-Témoin")
    page = client_de(monde.referent).get(reverse("prestations:liste")).content.decode()
    assert "Mes prestations" in page
    assert "Aubert-Témoin" in page and "Bernard-Témoin" not in page and "Chevalier-Témoin" not in page
    assert url_suivi("prestation_detail", a_moi) in page


def test_liste_du_responsable_prescripteur_et_financeur_selon_leur_portee(monde, dossiers, client_de, membre):
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    dossiers.signe_ce_matin(nom="Aubert-Témoin")
    dossiers.signe_ce_matin(referent=collegue, nom="Bernard-Témoin")
    dossiers.signe_ce_matin(marche=monde.marche_y, nom="Chevalier-Témoin")
    responsable = client_de(monde.responsable).get(reverse("prestations:liste")).content.decode()
    assert "Prestations de la structure" in responsable
    assert "Aubert-Témoin" in responsable and "Bernard-Témoin" in responsable and "Chevalier-Témoin" not in responsable
    prescripteur = client_de(monde.prescripteur).get(reverse("prestations:liste")).content.decode()
    assert all(nom in prescripteur for nom in ("Aubert-Témoin", "Bernard-Témoin", "Chevalier-Témoin"))
    autre_agence = client_de(monde.prescripteur_b).get(reverse("prestations:liste")).content.decode()
    assert "Aubert-Témoin" not in autre_agence and "Aucune prestation" in autre_agence
    # Need-to-know (SPEC §1): no case list with identities for a funder.
    financeur = client_de(monde.financeur).get(reverse("prestations:liste")).content.decode()
    assert not any(nom in financeur for nom in ("Aubert-Témoin", "Bernard-Témoin", "Chevalier-Témoin"))


def test_liste_filtres_etat_dispositif_recherche_et_echeance(monde, dossiers, client_de):
    en_cours = dossiers.signe_ce_matin(nom="Aubert-Témoin")
    a_contractualiser = dossiers.nouveau(nom="Bernard-Témoin")
    bca = dossiers.signe_ce_matin("BCA", nom="Chevalier-Témoin")
    Prestation.objects.filter(pk=en_cours.pk).update(prochaine_echeance=DEBUT - datetime.timedelta(days=2))
    Prestation.objects.filter(pk=bca.pk).update(prochaine_echeance=DEBUT + datetime.timedelta(days=5))
    Prestation.objects.filter(pk=a_contractualiser.pk).update(prochaine_echeance=DEBUT + datetime.timedelta(days=30))
    client = client_de(monde.referent)
    liste = reverse("prestations:liste")

    def noms(**params):
        page = client.get(liste, params).content.decode()
        return [n for n in ("Aubert-Témoin", "Bernard-Témoin", "Chevalier-Témoin") if n in page], page

    assert noms(etat="a_contractualiser")[0] == ["Bernard-Témoin"]
    assert noms(dispositif="BCA")[0] == ["Chevalier-Témoin"]
    assert noms(q="cheva")[0] == ["Chevalier-Témoin"]
    assert noms(echeance="depassee")[0] == ["Aubert-Témoin"]
    assert noms(echeance="7j")[0] == ["Aubert-Témoin", "Chevalier-Témoin"]
    # Sorted by next deadline, soonest first.
    _, page = noms()
    assert page.index("Aubert-Témoin") < page.index("Chevalier-Témoin") < page.index("Bernard-Témoin")
    # The phase label comes from the rule set.
    assert "Investigation du potentiel" in page


def test_liste_htmx_renvoie_le_fragment_des_resultats(monde, dossiers, client_de):
    dossiers.signe_ce_matin(nom="Aubert")
    response = client_de(monde.referent).get(
        reverse("prestations:liste"), {"q": "aub"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="resultats"
    )
    contenu = response.content.decode()
    assert response.status_code == 200 and "<html" not in contenu
    assert 'id="resultats"' in contenu and "Aubert" in contenu


def test_liste_nombre_de_requetes_constant(monde, dossiers, client_de):
    client = client_de(monde.referent)
    for i in range(2):
        dossiers.signe_ce_matin(nom=f"Deux{i}")
    client.get(reverse("prestations:liste"))  # warm the session
    with CaptureQueriesContext(connection) as deux:
        assert client.get(reverse("prestations:liste")).status_code == 200
    for i in range(10):
        dossiers.signe_ce_matin(nom=f"Douze{i}")
    with CaptureQueriesContext(connection) as douze:
        page = client.get(reverse("prestations:liste")).content.decode()
    assert "12 prestations" in page
    assert len(deux) == len(douze), [q["sql"] for q in douze.captured_queries]


# --- Scope and roles on the case page -----------------------------------------------------

URLS_ACTIONS = [
    ("prestation_contractualiser", ()),
    ("prestation_entretien", ()),
    ("prestation_phase", ()),
    ("prestation_fin_anticipee", ()),
    ("prestation_suspension", ()),
    ("prestation_fin_suspension", (1,)),
    ("prestation_periode", ()),
    ("prestation_sortie", ()),
    ("prestation_interruption", ()),
    ("prestation_cloture", ()),
    ("prestation_renouvellement", ()),
    ("prestation_action", ()),
    ("prestation_action_statut", (1,)),
]


def test_referent_de_y_recoit_404_sur_le_dossier_de_x_et_chaque_action(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    client = client_de(monde.referent_y)
    assert client.get(url_suivi("prestation_detail", prestation)).status_code == 404
    for nom, args in URLS_ACTIONS:
        assert client.post(url_suivi(nom, prestation, *args), {}).status_code == 404, nom
    assert recharger(prestation).etat == Etat.EN_COURS


def test_prescripteur_lit_le_dossier_mais_ne_peut_pas_saisir_un_entretien(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    client = client_de(monde.prescripteur)
    page = page_du_dossier(client, prestation)
    assert "Dossier de" in page and "Enregistrer un entretien" not in page
    assert "Déclarer une suspension" not in page and "Consultation seule" in page
    # MOV-08: at term only, and the page says from when.
    assert "Le renouvellement se décide au terme : du 22/04/2027 au 21/05/2027" in page
    response = poster_entretien(client, prestation, saisie_locale(DEBUT, 9))
    assert response.status_code == 403
    assert Entretien.objects.filter(prestation=prestation).count() == 1  # the contractualisation only


def test_mov04_un_referent_ne_voit_que_ses_dossiers_la_suppleance_passe_par_le_responsable(
    monde, dossiers, client_de, membre
):
    """A colleague of the structure does not read the case (404) until the responsable
    designates them référent, e.g. to cover an absence; the former référent then loses it."""
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    prestation = dossiers.signe_ce_matin()
    client = client_de(collegue)
    assert client.get(url_suivi("prestation_detail", prestation)).status_code == 404
    assert poster_entretien(client, prestation, saisie_locale(DEBUT, 9)).status_code == 404
    assert client.get(f"/api/prestations/{prestation.pk}/").status_code == 404
    designation = reverse("prestations:ldc_designer_referent", args=[prestation.lettre_de_commande_id])
    assert client_de(monde.responsable).post(designation, {"referent": collegue.user.pk}).status_code == 302
    assert "Enregistrer un entretien" in page_du_dossier(client, prestation)
    assert poster_entretien(client, prestation, saisie_locale(DEBUT, 9)).status_code == 302
    assert client_de(monde.referent).get(url_suivi("prestation_detail", prestation)).status_code == 404


def test_mov08_le_referent_ne_voit_pas_le_renouvellement_le_prescripteur_le_decide(
    monde, dossiers, client_de, time_machine
):
    prestation = dossiers.signe_ce_matin()
    time_machine.move_to(datetime.datetime(2027, 5, 20, 9, 0, tzinfo=PARIS), tick=True)
    referent = client_de(monde.referent)
    assert "Renouveler" not in page_du_dossier(referent, prestation)
    assert (
        referent.post(url_suivi("prestation_renouvellement", prestation), {"renouvellement-motif": "x"}).status_code
        == 403
    )
    prescripteur = client_de(monde.prescripteur)
    assert "Renouveler pour 6 mois" in page_du_dossier(prescripteur, prestation)
    response = prescripteur.post(
        url_suivi("prestation_renouvellement", prestation), {"renouvellement-motif": "Projet en bonne voie."}
    )
    assert response.status_code == 302
    prestation = recharger(prestation)
    assert prestation.date_fin == datetime.date(2027, 11, 21) and prestation.nombre_renouvellements == 1
    assert "Renouvelée pour 6 mois" in page_du_dossier(prescripteur, prestation)


# --- Navigation and pinned query counts ---------------------------------------------------------


def test_navigation_et_lien_depuis_la_lettre_de_commande(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    client = client_de(monde.referent)
    accueil = client.get(reverse("prestations:liste")).content.decode()
    assert (
        f'href="{reverse("prestations:liste")}"' in accueil and f'href="{reverse("prestations:sessions")}"' in accueil
    )
    ldc = client.get(reverse("prestations:ldc_detail", args=[prestation.lettre_de_commande.pk])).content.decode()
    assert url_suivi("prestation_detail", prestation) in ldc


def test_mov10_mov11_page_du_dossier_montre_l_essentiel(monde, dossiers, client_de, time_machine):
    prestation = dossiers.signe_ce_matin()
    time_machine.move_to(datetime.datetime(2026, 12, 4, 10, 0, tzinfo=PARIS), tick=True)
    page = page_du_dossier(client_de(monde.referent), prestation)
    assert "Phase 1 – Identification et analyse des difficultés (diagnostic)" in page
    assert "23/11/2026" in page and "21/05/2027" in page  # start and end (180 days, MOV-07)
    assert "169 jours" in page  # days remaining on 04/12/2026, end date included
    # MOV-10: 11 days since the contractualisation, highlighted from day 10.
    assert "text-bg-warning fs-6" in page and "11 jours sur 14 au plus" in page
    assert "prochain entretien au plus tard le 07/12/2026" in page
    # MOV-11: the week of 23/11 had no weekly entretien in phase 1 (the contractualisation does not count).
    assert "semaine du 23/11" in page


def test_page_du_dossier_nombre_de_requetes_constant(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    client = client_de(monde.referent)
    client.get(url_suivi("prestation_detail", prestation))  # warm the session
    with CaptureQueriesContext(connection) as un:
        assert client.get(url_suivi("prestation_detail", prestation)).status_code == 200
    for i in range(9):
        dossiers.entretien(prestation, DEBUT, heure=8, minute=5 + 5 * i, duree=45)
    suspensions.declarer_suspension(
        acteur(monde.referent),
        recharger(prestation),
        motif="conges",
        debut=DEBUT + datetime.timedelta(1),
        fin=DEBUT + datetime.timedelta(3),
    )
    parcours.ajouter_action(acteur(monde.referent), recharger(prestation), nature="etape", libelle="Étape 1")
    assert Entretien.objects.filter(prestation=prestation).count() == 10
    with CaptureQueriesContext(connection) as dix:
        page = client.get(url_suivi("prestation_detail", prestation)).content.decode()
    assert page.count("<time datetime") >= 10
    assert len(un) == len(dix), [q["sql"] for q in dix.captured_queries]
