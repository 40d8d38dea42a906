"""The documents through the API: draft, write, preview, submit, sign, transmit, download;
out of scope is a 404, a role that may not act a 403, a refused transition a 409."""

import pytest

from livrables.models import Livrable
from livrables.scellement import sceller
from tests.livrables.documents_de_test import textes

pytestmark = pytest.mark.django_db


def test_liv05_le_parcours_d_un_document_par_l_api(fabrique, monde, client_de):
    p = fabrique.semaines(fabrique.dossier("MOV"), 2)
    client = client_de(monde.referent)
    brouillon = client.post(
        f"/api/prestations/{p.pk}/livrables/brouillons/",
        {"type": "bilan_intermediaire"},
        content_type="application/json",
    )
    assert brouillon.status_code == 201, brouillon.json()
    lv = brouillon.json()
    assert lv["etat"] == "brouillon" and len(lv["rubriques"]) == 2
    assert lv["signatures_attendues"] == ["beneficiaire", "referent"]
    url = f"/api/livrables/{lv['id']}/"
    # The prescripteur receives documents, never the prestataire's drafts.
    assert client_de(monde.prescripteur).get(url).status_code == 404
    assert client_de(monde.prescripteur).get(f"/livrables/{lv['id']}/").status_code == 404
    assert client_de(monde.prescripteur).get(f"/api/prestations/{p.pk}/livrables/").json() == []
    mauvais = client.patch(url, {"rubriques": ["seule"]}, content_type="application/json")
    assert mauvais.status_code == 400
    ecrit = client.patch(url, {"rubriques": textes("bilan_intermediaire")}, content_type="application/json")
    assert ecrit.status_code == 200 and ecrit.json()["rubriques"][0]["texte"].startswith("Rubrique 1")
    apercu = client.get(url + "apercu/")
    assert apercu.status_code == 200 and apercu.content.startswith(b"%PDF-")
    assert client.post(url + "transmission/").status_code == 409  # not signed yet
    soumis = client.post(url + "soumettre/")
    assert soumis.status_code == 200 and soumis.json()["etat"] == "a_signer"
    sans_consentement = client.post(
        url + "signatures/", {"role": "beneficiaire", "nom": "Jeanne Girard", "consentement": False}
    )
    assert sans_consentement.status_code == 400 and "consentement" in sans_consentement.json()
    for role, nom in (("beneficiaire", "Jeanne Girard"), ("referent", str(monde.referent.user))):
        signe = client.post(url + "signatures/", {"role": role, "nom": nom, "consentement": True})
        assert signe.status_code == 201, signe.json()
    assert client.get(url).json()["etat"] == "signe"
    sceller(lv["id"])
    transmis = client.post(url + "transmission/")
    assert transmis.status_code == 200 and transmis.json()["etat"] == "transmis"
    fichier = client_de(monde.prescripteur).get(url + "telechargement/")
    assert fichier.status_code == 200
    assert b"".join(fichier.streaming_content) == Livrable.objects.get(pk=lv["id"]).fichier.open("rb").read()
    # Scope and roles.
    assert client_de(monde.referent_y).get(url).status_code == 404
    assert client_de(monde.prescripteur_b).get(url + "telechargement/").status_code == 404
    assert client_de(monde.prescripteur).post(url + "correction/", {"motif": "x"}).status_code == 403
    corrige = client.post(url + "correction/", {"motif": "Coquille dans les pistes"})
    assert corrige.status_code == 201 and corrige.json()["version"] == 2
    liste = client.get(f"/api/prestations/{p.pk}/livrables/").json()
    assert sorted((d["version"], d["etat"]) for d in liste) == [(1, "transmis"), (2, "brouillon")]
