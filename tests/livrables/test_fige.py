"""EMA-02: a signed document is immutable (form, API, admin, the database itself); a
correction is version 2, version 1 stays; each signature records who, as what, how, when,
from where and the hash of the exact document signed."""

import pytest
from django.db import DatabaseError, connection, transaction

from livrables import services, signature
from livrables.models import EtatLivrable, Livrable, Signature
from livrables.scellement import sceller
from tests.livrables.documents_de_test import signer_tout, textes

pytestmark = pytest.mark.django_db

TYPE = "bilan_intermediaire"


@pytest.fixture
def signe(fabrique):
    p = fabrique.semaines(fabrique.dossier("MOV"), 2)
    livrable = services.rediger(fabrique.referent, p, TYPE)
    livrable = services.soumettre(fabrique.referent, livrable, textes(TYPE))
    return sceller(signer_tout(fabrique, livrable).pk)


def test_ema02_chaque_signature_garde_signataire_qualite_methode_heure_ip_navigateur_et_empreinte(signe, monde):
    beneficiaire, referent = Signature.objects.filter(livrable=signe).order_by("pk")
    assert (beneficiaire.role, beneficiaire.methode, beneficiaire.signataire_nom) == (
        "beneficiaire",
        "sur_place",
        "Jeanne Girard",
    )
    assert beneficiaire.enregistree_par == monde.referent.user and beneficiaire.utilisateur is None
    assert (referent.role, referent.methode, referent.utilisateur) == ("referent", "compte", monde.referent.user)
    for s in (beneficiaire, referent):
        assert s.ip == "192.0.2.10" and s.user_agent == "pytest" and s.signe_le is not None
        assert s.empreinte_document == signe.empreinte_a_signer and len(s.empreinte_document) == 64
        assert "je le signe électroniquement" in s.consentement


def test_ema02_le_document_signe_ne_se_modifie_pas_par_le_formulaire(signe, monde, client_de):
    reponse = client_de(monde.referent).post(
        f"/livrables/{signe.pk}/", {"brouillon-rubrique_0": "Réécrit après signature", "enregistrer": ""}
    )
    assert reponse.status_code == 409
    assert "il ne peut plus être modifié" in reponse.content.decode()
    assert Livrable.objects.get(pk=signe.pk).contenu == signe.contenu


def test_ema02_le_document_signe_ne_se_modifie_pas_par_l_api(signe, monde, client_de):
    client = client_de(monde.referent)
    for methode in (client.put, client.patch):
        reponse = methode(f"/api/livrables/{signe.pk}/", {"rubriques": ["a", "b"]}, content_type="application/json")
        assert reponse.status_code == 409 and reponse.json()["regle"] == "EMA-02"
    assert Livrable.objects.get(pk=signe.pk).contenu == signe.contenu


def test_ema02_le_document_signe_ne_se_modifie_pas_dans_l_administration(signe, membre, client):
    from comptes.models import Role

    admin = membre(Role.ADMINISTRATEUR, is_staff=True, is_superuser=True)
    client.force_login(admin.user)
    page = client.get(f"/admin/livrables/livrable/{signe.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read only
    assert client.post(f"/admin/livrables/livrable/{signe.pk}/change/", {"version": 9}).status_code == 403
    assert client.post(f"/admin/livrables/livrable/{signe.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Livrable.objects.get(pk=signe.pk).version == 1


def test_ema02_la_base_refuse_toute_modification_d_un_document_signe(signe):
    with pytest.raises(DatabaseError, match="EMA-02"), transaction.atomic():
        Livrable.objects.filter(pk=signe.pk).update(contenu={"rubriques": []})
    with pytest.raises(DatabaseError, match="EMA-02"), transaction.atomic():
        Livrable.objects.filter(pk=signe.pk).update(empreinte="0" * 64)
    with pytest.raises(DatabaseError, match="EMA-02"), transaction.atomic():
        Signature.objects.filter(livrable=signe).update(signataire_nom="Quelqu'un d'autre")
    with pytest.raises(DatabaseError, match="EMA-02"), transaction.atomic(), connection.cursor() as curseur:
        curseur.execute("DELETE FROM livrables_livrable WHERE id = %s", [signe.pk])


def test_ema02_corriger_cree_la_version_2_a_signer_et_garde_la_version_1(signe, fabrique, monde, client_de):
    client = client_de(monde.referent)
    reponse = client.post(f"/livrables/{signe.pk}/corriger/", {"correction-motif": "Date de l'entretien erronée"})
    assert reponse.status_code == 302
    v1, v2 = Livrable.objects.filter(prestation=signe.prestation, type=TYPE).order_by("version")
    assert (v1.version, v1.etat, v1.empreinte) == (1, EtatLivrable.SIGNE, signe.empreinte)
    assert (v2.version, v2.etat, v2.motif_correction) == (2, EtatLivrable.BROUILLON, "Date de l'entretien erronée")
    assert [r["texte"] for r in v2.contenu["rubriques"]] == textes(TYPE)  # to correct, not to rewrite
    assert not v2.signatures.exists()  # signed again
    page = client.get(f"/livrables/{v2.pk}/").content.decode()
    assert "v1" in page and "Signé" in page  # the old one stays visible
    assert client.get(f"/livrables/{v1.pk}/telecharger/").status_code == 200
    # v2 goes through the signatures again.
    v2 = services.soumettre(fabrique.referent, v2)
    assert signer_tout(fabrique, v2).etat == EtatLivrable.SIGNE


def test_ema02_signer_au_clavier_seulement_le_nom_et_la_case_suffisent(fabrique, monde, client_de):
    p = fabrique.dossier("MOV")
    livrable = services.soumettre(
        fabrique.referent,
        services.rediger(fabrique.referent, p, "contrat_accompagnement"),
        textes("contrat_accompagnement"),
    )
    client = client_de(monde.referent)
    url = f"/livrables/{livrable.pk}/signer/?role=beneficiaire"
    page = client.get(url)
    assert page.status_code == 200 and "facultatif" in page.content.decode()
    sans_case = client.post(url, {"role": "beneficiaire", "signature-nom": "Jeanne Girard"})
    assert sans_case.status_code == 400 and "Cochez la déclaration pour signer." in sans_case.content.decode()
    mauvais_nom = client.post(
        url, {"role": "beneficiaire", "signature-nom": "Jean Dupont", "signature-consentement": "on"}
    )
    assert "ne correspond pas à celui du signataire attendu (Jeanne Girard)" in mauvais_nom.content.decode()
    bon = client.post(url, {"role": "beneficiaire", "signature-nom": "GIRARD jeanne", "signature-consentement": "on"})
    assert bon.status_code == 302
    faite = Signature.objects.get(livrable=livrable)
    assert (faite.signataire_nom, faite.dessin) == ("GIRARD jeanne", "")


def test_ema02_un_autre_referent_ne_signe_pas_a_la_place_du_referent(fabrique, monde, membre, client_de):
    from comptes.models import Role

    p = fabrique.dossier("MOV")
    livrable = services.soumettre(
        fabrique.referent,
        services.rediger(fabrique.referent, p, "contrat_accompagnement"),
        textes("contrat_accompagnement"),
    )
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    assert client_de(collegue).get(f"/livrables/{livrable.pk}/signer/?role=referent").status_code == 404
    assert client_de(monde.responsable).get(f"/livrables/{livrable.pk}/signer/?role=referent").status_code == 403
    with pytest.raises(Exception, match="recueillir cette signature"):
        signature.signer(fabrique.responsable, livrable, role="referent", nom="x", accepte=True)
