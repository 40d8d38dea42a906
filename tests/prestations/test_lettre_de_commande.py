"""Lettre de commande: PRE-01, PRE-02, PMA-01..03, BCA-01, BAM-01, MOV-04, scope and the journal."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.urls import reverse

from comptes.models import Canal, Notification
from prestations.models import Evenement, LettreDeCommande, Prestation, Reorientation, TypeEvenement
from tests.factories import MarcheFactory

pytestmark = pytest.mark.django_db

DEBUT = datetime.date(2026, 11, 30)


def _poster(client, beneficiaire, marche, **champs):
    data = {
        "beneficiaire": beneficiaire.pk,
        "dispositif": marche.dispositif,
        "marche": marche.pk,
        "date_debut": DEBUT.isoformat(),
        "accord_beneficiaire": "on",
        "motivation": "Freins sociaux importants, projet à construire.",
    }
    data.update(champs)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("prestations:ldc_creer"), data)


def _api(client, beneficiaire, marche, **champs):
    data = {
        "beneficiaire": beneficiaire.pk,
        "marche": marche.pk,
        "date_debut": DEBUT.isoformat(),
        "accord_beneficiaire": True,
        "motivation": "Projet à construire.",
    }
    data.update(champs)
    return client.post("/api/lettres-de-commande/", data, content_type="application/json")


def test_pre01_prescripteur_issues_an_mov_ldc_with_computed_end_date(monde, beneficiaire_de, client_de):
    beneficiaire = beneficiaire_de()
    response = _poster(client_de(monde.prescripteur), beneficiaire, monde.marche)
    ldc = LettreDeCommande.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("prestations:ldc_detail", args=[ldc.pk])
    assert ldc.date_fin == datetime.date(2027, 5, 28)  # 180 calendar days, last day included (MOV-07)
    assert (ldc.dispositif, ldc.regle_version) == ("MOV", "2010-08")
    assert ldc.accord_beneficiaire and ldc.accord_recueilli_le is not None
    assert ldc.numero == f"LDC-2026-{ldc.pk:06d}"
    assert ldc.prestation.etat == "attente_referent"
    assert ldc.organisation_prescriptrice == monde.prescripteur.organisation


def test_pre01_without_agreement_is_refused_at_the_field(monde, beneficiaire_de, client_de):
    response = _poster(client_de(monde.prescripteur), beneficiaire_de(), monde.marche, accord_beneficiaire=None)
    assert response.status_code == 200
    assert "L&#x27;accord du bénéficiaire doit être recueilli" in response.content.decode()
    assert not LettreDeCommande.objects.exists()


def test_pre01_inactive_marche_is_refused(monde, beneficiaire_de, client_de):
    monde.marche.actif = False
    monde.marche.save()
    client = client_de(monde.prescripteur)
    beneficiaire = beneficiaire_de()
    page = _poster(client, beneficiaire, monde.marche).content.decode()
    assert "Ce marché n&#x27;est pas disponible" in page
    api = _api(client, beneficiaire, monde.marche)
    assert api.status_code == 400
    assert "n'est pas actif" in api.json()["marche"][0]
    assert not LettreDeCommande.objects.exists()


def test_pre01_marche_not_yet_in_force_on_the_start_date_is_refused(monde, beneficiaire_de, client_de):
    monde.marche.date_debut = datetime.date(2026, 12, 15)
    monde.marche.save()
    api = _api(client_de(monde.prescripteur), beneficiaire_de(), monde.marche)
    assert api.status_code == 400
    assert "n'est pas en vigueur le 30/11/2026" in api.json()["marche"][0]


def test_pre01_beneficiaire_outside_the_marche_territory_is_refused(monde, beneficiaire_de, client_de):
    beneficiaire = beneficiaire_de(commune=monde.clermont)  # Puy-de-Dôme, the marché covers the Allier only
    client = client_de(monde.prescripteur)
    api = _api(client, beneficiaire, monde.marche)
    assert api.status_code == 400
    assert "ne couvre pas le département du bénéficiaire" in api.json()["marche"][0]
    page = _poster(client, beneficiaire, monde.marche).content.decode()
    assert "Aucun marché actif ne couvre le département" in page
    assert not LettreDeCommande.objects.exists()


def test_pre01_api_refuses_missing_agreement_and_bad_dates(monde, beneficiaire_de, client_de):
    client = client_de(monde.prescripteur)
    beneficiaire = beneficiaire_de()
    refus = _api(client, beneficiaire, monde.marche, accord_beneficiaire=False).json()
    assert "L'accord du bénéficiaire doit être recueilli" in refus["accord_beneficiaire"][0]
    passe = _api(client, beneficiaire, monde.marche, date_debut="2026-11-01").json()
    assert passe["date_debut"] == ["La date de début ne peut pas être dans le passé."]
    invalide = _api(client, beneficiaire, monde.marche, date_debut="31/02/2026")
    assert invalide.status_code == 400 and "date_debut" in invalide.json()
    assert not LettreDeCommande.objects.exists()


def test_pre01_only_a_prescripteur_creates_an_ldc(monde, beneficiaire_de, client_de):
    beneficiaire = beneficiaire_de()
    assert _poster(client_de(monde.responsable), beneficiaire, monde.marche).status_code == 403
    assert _api(client_de(monde.responsable), beneficiaire, monde.marche).status_code == 403
    assert not LettreDeCommande.objects.exists()


def test_pre01_api_creates_the_ldc(monde, beneficiaire_de, client_de):
    response = _api(client_de(monde.prescripteur), beneficiaire_de(), monde.marche)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["date_fin"] == "2027-05-28"
    assert body["etat"] == "attente_referent" and body["prestataire"] == "Prestataire X"


@pytest.mark.parametrize(
    ("dispositif", "fin"),
    [
        ("MOV", datetime.date(2027, 5, 28)),
        ("BCA", datetime.date(2027, 1, 10)),
        ("BAM", datetime.date(2027, 2, 27)),
        ("PMA", datetime.date(2027, 3, 29)),
        ("CEP", None),
    ],
)
def test_pre01_an_ldc_can_be_issued_for_each_dispositif(monde, beneficiaire_de, client_de, dispositif, fin):
    marche = MarcheFactory(dispositif=dispositif, prestataire=monde.marche.prestataire)
    beneficiaire = beneficiaire_de(
        statut="rsa",
        niveau_francais="B1",
        projet_defini=True,
        accompagnateur_insertion="ASS du CD",
        demarches_engagees="Inscription en auto-école",
    )
    response = _poster(client_de(monde.prescripteur), beneficiaire, marche)
    assert response.status_code == 302, response.content.decode()[:3000]
    ldc = LettreDeCommande.objects.get()
    assert (ldc.dispositif, ldc.date_fin) == (dispositif, fin)


def test_pre02_the_prestataire_is_notified_at_once_in_app_and_by_email(monde, beneficiaire_de, client_de, mailoutbox):
    """PRE-02 goes to the responsables, who designate the référent (MOV-04): a référent
    reaches a case only once designated on it."""
    from comptes.envoi import envoyer_emails_en_attente

    _poster(client_de(monde.prescripteur), beneficiaire_de(), monde.marche)
    ldc = LettreDeCommande.objects.get()
    notifies = set(Notification.objects.filter(canal=Canal.IN_APP).values_list("destinataire__email", flat=True))
    assert notifies == {"resp.x@exemple.test"}
    assert envoyer_emails_en_attente() == 1
    assert [m.to[0] for m in mailoutbox] == ["resp.x@exemple.test"]
    assert ldc.numero in mailoutbox[0].subject
    assert envoyer_emails_en_attente() == 0  # sent once
    # The bell of the responsable shows it.
    page = client_de(monde.responsable).get(reverse("comptes:accueil")).content.decode()
    assert '1<span class="visually-hidden"> non lue' in page
    assert Evenement.objects.filter(lettre_de_commande=ldc, type=TypeEvenement.LDC_TRANSMISE).exists()


def test_pre02_ldc_creation_is_all_or_nothing(monde, beneficiaire_de, client_de, monkeypatch):
    def panne(*args, **kwargs):
        raise RuntimeError("outbox indisponible")

    monkeypatch.setattr("prestations.commandes.services.notifier", panne)
    with pytest.raises(RuntimeError):
        _poster(client_de(monde.prescripteur), beneficiaire_de(), monde.marche)
    assert not LettreDeCommande.objects.exists()
    assert not Prestation.objects.exists()
    assert not Evenement.objects.exists()


def test_pma01_ineligible_public_is_blocked_with_the_reason(monde, beneficiaire_de, client_de):
    marche = MarcheFactory(dispositif="PMA", prestataire=monde.marche.prestataire)
    beneficiaire = beneficiaire_de(statut="autre", niveau_francais="B1", projet_defini=True)
    page = _poster(client_de(monde.prescripteur), beneficiaire, marche).content.decode()
    assert "ne remplit pas les critères d'entrée du dispositif PMA" in page
    assert "PMA-01" in page
    assert "Réorienter le bénéficiaire (PMA-03)" in page
    assert not LettreDeCommande.objects.exists()


def test_pma02_project_not_defined_is_blocked(monde, beneficiaire_de, client_de):
    marche = MarcheFactory(dispositif="PMA", prestataire=monde.marche.prestataire)
    beneficiaire = beneficiaire_de(statut="rsa", niveau_francais="B1", projet_defini=False)
    api = _api(client_de(monde.prescripteur), beneficiaire, marche)
    assert api.status_code == 400
    assert "PMA-02" in {e["regle"] for e in api.json()["eligibilite"]}


def test_pma03_french_level_a1_blocks_and_reorientation_is_recorded(monde, beneficiaire_de, client_de):
    marche = MarcheFactory(dispositif="PMA", prestataire=monde.marche.prestataire)
    beneficiaire = beneficiaire_de(
        statut="rsa",
        niveau_francais="A1",
        projet_defini=True,
        accompagnateur_insertion="Mme Roche, CCAS",
        demarches_engagees="Recherche d'emploi",
    )
    client = client_de(monde.prescripteur)
    api = _api(client, beneficiaire, marche).json()
    assert [e["regle"] for e in api["eligibilite"]] == ["PMA-03"]
    assert {r["code"] for r in api["reorientations"]} >= {"fle", "tus", "mobilab"}
    url = reverse("prestations:reorientation_creer")
    sans_accord = client.post(url, {"beneficiaire": beneficiaire.pk, "marche": marche.pk, "orientation": "fle"})
    assert sans_accord.status_code == 400
    assert "avec l&#x27;accord du référent de parcours" in sans_accord.content.decode()
    assert not Reorientation.objects.exists()
    response = client.post(
        url,
        {
            "beneficiaire": beneficiaire.pk,
            "marche": marche.pk,
            "orientation": "fle",
            "nom_referent": "Mme Roche",
            "accord_referent": "on",
        },
    )
    assert response.status_code == 302
    reorientation = Reorientation.objects.get()
    assert reorientation.orientation == "fle" and reorientation.motifs[0]["regle"] == "PMA-03"
    assert Evenement.objects.filter(beneficiaire=beneficiaire, type=TypeEvenement.REORIENTATION).exists()


def test_bca01_less_than_six_months_of_registration_warns_without_blocking(monde, beneficiaire_de, client_de):
    marche = MarcheFactory(dispositif="BCA", prestataire=monde.marche.prestataire)
    beneficiaire = beneficiaire_de(
        statut="demandeur_emploi", categorie_demandeur="A", date_inscription_ft=datetime.date(2026, 9, 1)
    )
    response = _poster(client_de(monde.prescripteur), beneficiaire, marche)
    assert response.status_code == 302
    ldc = LettreDeCommande.objects.get()
    assert [a["regle"] for a in ldc.avertissements] == ["BCA-01"]
    page = client_de(monde.prescripteur).get(response["Location"]).content.decode()
    assert "BCA-01" in page


def test_bam01_qpv_resident_is_flagged_on_the_case_and_list(monde, beneficiaire_de, client_de):
    marche = MarcheFactory(dispositif="BAM", prestataire=monde.marche.prestataire)
    beneficiaire = beneficiaire_de(qpv="oui")
    client = client_de(monde.prescripteur)
    _poster(client, beneficiaire, marche)
    ldc = LettreDeCommande.objects.get()
    assert (
        "QPV / territoire rural (BAM-01)"
        in client.get(reverse("prestations:ldc_detail", args=[ldc.pk])).content.decode()
    )
    assert "QPV/rural" in client.get(reverse("prestations:ldc_liste")).content.decode()


def test_mov04_responsable_designates_then_changes_the_referent(monde, beneficiaire_de, client_de):
    _poster(client_de(monde.prescripteur), beneficiaire_de(), monde.marche)
    ldc = LettreDeCommande.objects.get()
    client = client_de(monde.responsable)
    url = reverse("prestations:ldc_designer_referent", args=[ldc.pk])
    assert client.post(url, {"referent": monde.referent.user.pk}).status_code == 302
    ldc.prestation.refresh_from_db()
    assert ldc.prestation.referent == monde.referent.user
    assert ldc.prestation.etat == "a_contractualiser"
    # Changing référent is possible and journaled.
    assert client.post(url, {"referent": monde.responsable.user.pk}).status_code == 302
    types = list(ldc.evenements.order_by("pk").values_list("type", flat=True))
    assert types[-2:] == [TypeEvenement.REFERENT_DESIGNE, TypeEvenement.REFERENT_CHANGE]
    # A référent of another prestataire cannot be chosen.
    refus = client.post(url, {"referent": monde.referent_y.user.pk})
    assert refus.status_code == 400
    assert "Choisissez un référent de votre structure." in refus.content.decode()


def test_mov04_only_the_responsable_designates(monde, beneficiaire_de, client_de):
    """A référent never designates: before the designation the case is not theirs (404);
    once designated, changing the référent is still the responsable's (403, page and API)."""
    _poster(client_de(monde.prescripteur), beneficiaire_de(), monde.marche)
    ldc = LettreDeCommande.objects.get()
    url = reverse("prestations:ldc_designer_referent", args=[ldc.pk])
    api_url = f"/api/lettres-de-commande/{ldc.pk}/referent/"
    assert client_de(monde.referent).post(url, {"referent": monde.referent.user.pk}).status_code == 404
    api = client_de(monde.referent).post(api_url, {"referent": monde.referent.user.pk}, content_type="application/json")
    assert api.status_code == 404
    ok = client_de(monde.responsable).post(
        api_url, {"referent": monde.referent.user.pk}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["referent"]["email"] == "ref.x@exemple.test"
    refus = client_de(monde.referent).post(url, {"referent": monde.responsable.user.pk})
    assert refus.status_code == 403
    api = client_de(monde.referent).post(
        api_url, {"referent": monde.responsable.user.pk}, content_type="application/json"
    )
    assert api.status_code == 403 and "responsable" in api.json()["detail"]
    assert LettreDeCommande.objects.get().prestation.referent == monde.referent.user


def test_scope_prescripteur_b_and_prestataire_y_do_not_see_the_ldc(monde, beneficiaire_de, client_de):
    _poster(client_de(monde.prescripteur), beneficiaire_de(), monde.marche)
    ldc = LettreDeCommande.objects.get()
    detail = reverse("prestations:ldc_detail", args=[ldc.pk])
    for membership in (monde.prescripteur_b, monde.responsable_y, monde.referent_y):
        client = client_de(membership)
        assert client.get(detail).status_code == 404
        assert client.get(reverse("prestations:ldc_pdf", args=[ldc.pk])).status_code == 404
        assert client.get(f"/api/lettres-de-commande/{ldc.pk}/").status_code == 404
        assert client.get("/api/lettres-de-commande/").json()["count"] == 0
        assert ldc.numero not in client.get(reverse("prestations:ldc_liste")).content.decode()
    for membership in (monde.prescripteur, monde.responsable):
        assert client_de(membership).get(detail).status_code == 200
    # Prestataire Y cannot designate a référent on X's case either.
    url = reverse("prestations:ldc_designer_referent", args=[ldc.pk])
    assert client_de(monde.responsable_y).post(url, {"referent": monde.referent_y.user.pk}).status_code == 404


def test_ldc_list_filters(monde, beneficiaire_de, client_de):
    client = client_de(monde.prescripteur)
    _poster(client, beneficiaire_de(nom="Alpha"), monde.marche)
    _poster(client, beneficiaire_de(nom="Beta"), monde.marche_y)
    liste = reverse("prestations:ldc_liste")
    page = client.get(liste, {"prestataire": monde.marche_y.prestataire.pk}).content.decode()
    assert "Beta" in page and "Alpha" not in page
    assert client.get(liste, {"dispositif": "BCA"}).content.decode().count("LDC-2026-") == 0
    assert client.get(liste, {"etat": "attente_referent"}).content.decode().count("LDC-2026-") == 2
    api = client.get("/api/lettres-de-commande/", {"prestataire": monde.marche.prestataire.pk}).json()
    assert api["count"] == 1


def test_ldc_list_page_and_api_query_counts_are_constant(monde, beneficiaire_de, client_de, django_assert_num_queries):
    client = client_de(monde.prescripteur)
    _poster(client, beneficiaire_de(nom="Un"), monde.marche)

    def compter(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    liste, api = reverse("prestations:ldc_liste"), "/api/lettres-de-commande/"
    une = (compter(liste), compter(api))
    for i in range(12):
        _poster(client, beneficiaire_de(nom=f"Nom{i}"), monde.marche if i % 2 else monde.marche_y)
    assert (compter(liste), compter(api)) == une
    assert une == (7, 5)  # pinned: a new N+1 shows up here


def test_ldc_pdf_is_a_french_document_with_both_organisations(monde, beneficiaire_de, client_de, tmp_path):
    _poster(client_de(monde.prescripteur), beneficiaire_de(nom="Durand"), monde.marche)
    ldc = LettreDeCommande.objects.get()
    response = client_de(monde.responsable).get(reverse("prestations:ldc_pdf", args=[ldc.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    fichier = tmp_path / "ldc.pdf"
    fichier.write_bytes(response.content)
    texte = subprocess.run(["pdftotext", str(fichier), "-"], capture_output=True, text=True, check=True).stdout
    assert f"Lettre de commande n° {ldc.numero}" in texte
    assert "Agence A" in texte and "Prestataire X" in texte and "Durand" in texte
    assert "28/05/2027" in texte


def test_journal_timeline_is_shown_on_the_case(monde, beneficiaire_de, client_de):
    _poster(client_de(monde.prescripteur), beneficiaire_de(), monde.marche)
    ldc = LettreDeCommande.objects.get()
    page = client_de(monde.prescripteur).get(reverse("prestations:ldc_detail", args=[ldc.pk])).content.decode()
    assert "Lettre de commande émise" in page and "Lettre de commande transmise au prestataire" in page
    assert "(PRE-02)" in page
