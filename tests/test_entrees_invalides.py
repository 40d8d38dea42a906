"""Bad input is a 4xx with a French message, never a server error (found by fuzzing the
API with schemathesis and by hand), and one set of limits holds on every path."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from prestations.models import Entretien, Evenement, SessionCollective

pytestmark = pytest.mark.django_db

CENT_KO = "x" * 100_000


def _api(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def test_options_sur_les_preferences_de_notification_ne_casse_pas(monde):
    reponse = _api(monde.referent).options("/api/notifications/preferences/")
    assert reponse.status_code == 200
    assert _api(monde.referent).patch(
        "/api/notifications/preferences/", {"email_informatif": False}, format="json"
    ).json() == {"email_informatif": False, "in_app_informatif": True, "recapitulatif_quotidien": False}


@pytest.mark.parametrize("corps", [{"referent": 3}, {"referent": None}, {"referent": False}])
def test_un_identifiant_non_numerique_dans_l_adresse_est_un_404(monde, dossiers, corps):
    dossiers.commande()  # an LdC awaiting its référent
    reponse = _api(monde.responsable).post("/api/lettres-de-commande/abc/referent/", corps, format="json")
    assert reponse.status_code == 404
    for url in ("/api/prestations/٣/", "/api/beneficiaires/abc/", "/api/sessions/x/", "/api/marches/1a/"):
        assert _api(monde.prescripteur).get(url).status_code == 404


@pytest.mark.parametrize("corps", [{"referent": None}, {"referent": False}, {"referent": "abc"}])
def test_mov04_un_referent_illisible_est_un_400_au_champ(monde, dossiers, corps):
    ldc = dossiers.commande()
    reponse = _api(monde.responsable).post(f"/api/lettres-de-commande/{ldc.pk}/referent/", corps, format="json")
    assert reponse.status_code == 400 and "referent" in reponse.json()


@pytest.mark.parametrize("valeur", ["²", "٣", "1 ", "-1", "1e3", "9" * 40])
def test_en_tete_x_organisation_illisible_est_un_400(monde, valeur):
    client = _api(monde.prescripteur)
    reponse = client.get("/api/prestations/", HTTP_X_ORGANISATION=valeur)
    assert reponse.status_code == 400
    assert "X-Organisation" in reponse.json()["detail"]


def test_un_caractere_nul_dans_la_commune_est_refuse_au_champ(monde, client_de):
    api = _api(monde.prescripteur).post(
        "/api/beneficiaires/",
        {
            "civilite": "madame",
            "nom": "Nul",
            "prenom": "Octet",
            "date_naissance": "1990-01-01",
            "commune": "03\x00190",
            "statut": "demandeur_emploi",
            "categorie_demandeur": "A",
        },
        format="json",
    )
    assert api.status_code == 400 and "commune" in api.json()
    page = client_de(monde.prescripteur).post(
        reverse("beneficiaires:creer"),
        {"civilite": "madame", "nom": "Nul", "prenom": "Octet", "date_naissance": "1990-01-01", "commune": "mo\x00"},
    )
    assert page.status_code in (200, 400) and "Commune" in page.content.decode()
    recherche = client_de(monde.prescripteur).get("/territoires/communes/", {"q": "mo\x00"})
    assert recherche.status_code == 200
    assert client_de(monde.prescripteur).get("/territoires/communes/", {"q": CENT_KO}).status_code == 200


def test_pre01_apercu_de_la_fin_avec_une_date_hors_bornes_est_un_400(monde, client_de):
    client = client_de(monde.prescripteur)
    url = reverse("prestations:ldc_apercu_fin")
    for jour in ("9999-12-31", "0001-01-01"):
        reponse = client.get(url, {"marche": monde.marche.pk, "date_debut": jour, "dispositif": "MOV"})
        assert reponse.status_code == 400
        assert "Saisissez une date entre le 01/01/1920 et le 31/12/2100" in reponse.content.decode()
    ok = client.get(url, {"marche": monde.marche.pk, "date_debut": "2026-12-01", "dispositif": "MOV"})
    assert ok.status_code == 200 and "Fin prévue le 29/05/2027" in ok.content.decode()


# --- One limit per field, the same in form, API and model ---------------------------------


def test_le_compte_rendu_a_la_meme_limite_en_page_en_api_et_dans_le_modele():
    from prestations.suivi.forms import EntretienForm
    from prestations.suivi.serializers import EntretienEntreeSerializer

    limite = Entretien._meta.get_field("compte_rendu").max_length
    assert limite == 4000
    assert EntretienForm().fields["compte_rendu"].max_length == limite
    assert EntretienEntreeSerializer().fields["compte_rendu"].max_length == limite


def test_les_textes_du_beneficiaire_sont_bornes_en_api(monde):
    reponse = _api(monde.prescripteur).post(
        "/api/beneficiaires/",
        {"adresse": CENT_KO, "projet_professionnel": CENT_KO, "demarches_engagees": CENT_KO},
        format="json",
    )
    assert reponse.status_code == 400
    erreurs = reponse.json()
    for champ in ("adresse", "projet_professionnel", "demarches_engagees"):
        assert "caractères" in erreurs[champ][0]


def test_un_choix_refuse_n_est_pas_recopie_dans_le_message(monde, client_de):
    reponse = _api(monde.prescripteur).post("/api/beneficiaires/", {"civilite": CENT_KO}, format="json")
    assert reponse.status_code == 400
    message = reponse.json()["civilite"][0]
    assert len(message) < 200 and "madame" in message
    page = client_de(monde.prescripteur).post(reverse("beneficiaires:creer"), {"civilite": CENT_KO})
    assert CENT_KO not in page.content.decode()


def test_une_session_collective_refuse_l_an_1_et_les_caracteres_de_controle(monde, client_de):
    client = _api(monde.referent)
    reponse = client.post(
        "/api/sessions/",
        {"titre": "Atelier\x01CV", "debut": "0001-01-01T10:00:00", "duree_minutes": 60},
        format="json",
    )
    assert reponse.status_code == 400
    assert set(reponse.json()) == {"titre", "debut"}
    page = client_de(monde.referent).post(
        reverse("prestations:session_creer"),
        {"session-titre": "Atelier\x01CV", "session-debut": "0001-01-01T10:00", "session-duree_minutes": 60},
    )
    assert page.status_code == 400
    assert not SessionCollective.objects.exists()
    ok = client.post(
        "/api/sessions/",
        {"titre": "Atelier CV", "debut": "2026-11-20T10:00:00+01:00", "duree_minutes": 60},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["debut"] == "2026-11-20T10:00:00+01:00"


def test_un_evenement_sans_auteur_est_declare_nullable_dans_le_schema(monde, dossiers):
    dossiers.commande()  # an LdC awaiting its référent
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    auteur = schema["components"]["schemas"]["Evenement"]["properties"]["auteur"]
    assert auteur.get("nullable") is True
    assert Evenement.objects.filter(auteur__isnull=True).exists()  # PRE-02's transmission has none


# --- Found by the second fuzzing run ---------------------------------------------------------


@pytest.mark.parametrize("valeur", ["²", "¹", "1²", "abc"])
def test_un_beneficiaire_illisible_dans_l_adresse_de_la_commande_n_est_pas_une_erreur(monde, client_de, valeur):
    client = client_de(monde.prescripteur)
    assert client.get(reverse("prestations:ldc_creer"), {"beneficiaire": valeur}).status_code == 302
    reponse = client.post(reverse("prestations:reorientation_creer"), {"beneficiaire": valeur, "marche": "1"})
    assert reponse.status_code == 302


@pytest.mark.parametrize("marche", ["abc", " ", "ab\x00cd", "9999-12-31", "²"])
def test_pma03_un_marche_illisible_dans_la_reorientation_est_un_404(monde, beneficiaire_de, client_de, marche):
    beneficiaire = beneficiaire_de()
    reponse = client_de(monde.prescripteur).post(
        reverse("prestations:reorientation_creer"), {"beneficiaire": beneficiaire.pk, "marche": marche}
    )
    assert reponse.status_code == 404


def test_un_caractere_nul_dans_la_commune_en_modification_est_refuse(monde, beneficiaire_de, client_de):
    beneficiaire = beneficiaire_de()
    api = _api(monde.prescripteur).patch(f"/api/beneficiaires/{beneficiaire.pk}/", {"commune": "ab\x00"}, format="json")
    assert api.status_code == 400 and "commune" in api.json()
    page = client_de(monde.prescripteur).post(
        reverse("beneficiaires:modifier", args=[beneficiaire.pk]), {"commune": "ab\x00", "q": "mo\x00"}
    )
    assert page.status_code in (200, 400)


@pytest.mark.parametrize("debut", ["0001-01-01T00:00:00", "0001-01-01", "1748-12-17T18:59:56", "1910-06-01T10:00:00"])
def test_une_date_heure_avant_1920_est_refusee_sans_erreur_serveur(monde, debut):
    reponse = _api(monde.referent).post(
        "/api/sessions/", {"titre": "Atelier", "debut": debut, "duree_minutes": 30}, format="json"
    )
    assert reponse.status_code == 400 and "debut" in reponse.json()
    assert not SessionCollective.objects.exists()


def test_options_sur_la_documentation_de_l_api_n_est_pas_une_erreur(client):
    assert client.options("/api/docs/").status_code == 405


def test_le_schema_decrit_les_sorties_sans_contrat_et_les_erreurs_de_chaque_operation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    sortie = schema["components"]["schemas"]["Sortie"]["properties"]
    for champ in ("type_contrat", "forme_entreprise", "nature_entreprise"):
        assert {"$ref": "#/components/schemas/BlankEnum"} in sortie[champ]["oneOf"]
    assert schema["components"]["schemas"]["BlankEnum"] == {"enum": [""]}
    organisation = schema["components"]["schemas"]["Notification"]["properties"]["organisation"]
    assert organisation.get("nullable") is True
    operation = schema["paths"]["/api/prestations/{id}/entretiens/"]["post"]
    assert {"400", "403", "404"} <= set(operation["responses"])
