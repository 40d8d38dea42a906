"""EMA-01: each entretien gets its attendance proof when it happens (signed on the référent's
screen, confirmed by an e-mail link, or a scanned paper sheet); the feuille d'émargement of
a period is assembled from them and shows an entretien without proof as such. EMA-02: the
proofs of a case form a hash chain; an altered or removed line is detected."""

import re

import pgtrigger
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptes.models import Canal, Notification
from livrables import signature
from livrables.emargement import ORIGINE, verifier_chaine
from livrables.models import Emargement
from prestations.models import Entretien
from tests.livrables.documents_de_test import texte_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def cas(fabrique):
    """A MOV case with its contractualisation and three weekly entretiens."""
    return fabrique.semaines(fabrique.dossier("MOV"), 3)


def _entretiens(p):
    return list(Entretien.objects.filter(prestation=p).order_by("debut"))


def _emarger(fabrique, p, entretien, **kwargs):
    kwargs.setdefault("nom", "Jeanne Girard")
    return signature.emarger_sur_place(fabrique.referent, fabrique.recharger(p), entretien, accepte=True, **kwargs)


def test_ema01_emargement_sur_place_au_clavier_avec_ou_sans_dessin(cas, fabrique, monde, client_de):
    premier, second, *_ = _entretiens(cas)
    client = client_de(monde.referent)
    url = f"/prestations/{cas.pk}/emargements/{premier.pk}/"
    assert client.get(url).status_code == 200
    sans_case = client.post(url, {"action": "sur_place", "emargement-nom": "Jeanne Girard"})
    assert sans_case.status_code == 400 and "Cochez la déclaration" in sans_case.content.decode()
    ok = client.post(url, {"action": "sur_place", "emargement-nom": "Jeanne Girard", "emargement-consentement": "on"})
    assert ok.status_code == 302
    dessin = "data:image/png;base64,iVBORw0KGgo="
    preuve = _emarger(fabrique, cas, second, dessin=dessin, ip="192.0.2.1", user_agent="tablette")
    premiere = Emargement.objects.get(entretien=premier)
    assert (premiere.rang, premiere.methode, premiere.precedente, premiere.dessin) == (1, "sur_place", ORIGINE, "")
    assert (preuve.rang, preuve.precedente, preuve.dessin) == (2, premiere.empreinte, dessin)
    assert verifier_chaine(cas).intacte
    deja = client.post(url, {"action": "sur_place", "emargement-nom": "Jeanne Girard", "emargement-consentement": "on"})
    assert deja.status_code == 409 and "déjà prouvée" in deja.content.decode()


def test_ema01_confirmation_a_distance_par_lien_et_code(cas, fabrique, monde, client_de, client):
    entretien = _entretiens(cas)[1]
    reponse = client_de(monde.referent).post(f"/prestations/{cas.pk}/emargements/{entretien.pk}/", {"action": "lien"})
    assert reponse.status_code == 302
    courriel = Notification.objects.get(cle__startswith="lien-signature:", canal=Canal.EMAIL)
    code = re.search(r"code à usage unique : (\d{6})", courriel.corps).group(1)
    page = client.get(courriel.lien)
    assert "Confirmer votre présence" in page.content.decode()
    fait = client.post(
        courriel.lien, {"signature-code": code, "signature-nom": "Jeanne Girard", "signature-consentement": "on"}
    )
    assert fait.status_code == 200 and "Votre présence" in fait.content.decode()
    preuve = Emargement.objects.get(entretien=entretien)
    assert (preuve.methode, preuve.enregistre_par) == ("a_distance", None)


def test_ema01_feuille_papier_scannee(cas, monde, client_de):
    entretien = _entretiens(cas)[0]
    url = f"/prestations/{cas.pk}/emargements/{entretien.pk}/"
    client = client_de(monde.referent)
    refus = client.post(url, {"action": "scan", "scan-scan": SimpleUploadedFile("f.txt", b"pas un scan")})
    assert refus.status_code == 400 and "Le fichier doit être un PDF, une image PNG ou JPEG." in refus.content.decode()
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    assert client.post(url, {"action": "scan", "scan-scan": SimpleUploadedFile("f.png", png)}).status_code == 302
    preuve = Emargement.objects.get(entretien=entretien)
    assert preuve.methode == "papier" and preuve.scan and len(preuve.scan_empreinte) == 64


def test_ema01_la_feuille_montre_l_entretien_sans_preuve(cas, fabrique, monde, client_de):
    premier, second, troisieme, quatrieme = _entretiens(cas)
    _emarger(fabrique, cas, premier)
    _emarger(fabrique, cas, troisieme)
    reponse = client_de(monde.prescripteur).get(f"/prestations/{cas.pk}/feuille-emargement.pdf")
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    texte = texte_pdf(reponse.content)
    assert texte.count("Sans preuve de présence (EMA-01)") == 2
    assert texte.count("Signé sur place") == 2 and "Jeanne Girard" in texte
    assert "Chaîne des preuves : 2 preuves, intacte" in texte
    page = client_de(monde.referent).get(f"/prestations/{cas.pk}/").content.decode()
    assert "2 entretiens sans preuve" in page and "Chaîne des preuves intacte" in page


def test_ema02_une_ligne_modifiee_dans_la_base_rompt_la_chaine(cas, fabrique, monde, client_de):
    for entretien in _entretiens(cas)[:3]:
        _emarger(fabrique, cas, entretien)
    assert verifier_chaine(cas).intacte
    with pgtrigger.ignore("livrables.Emargement:emargement_inalterable"):
        Emargement.objects.filter(prestation=cas, rang=2).update(signataire_nom="Quelqu'un d'autre")
    etat = verifier_chaine(cas)
    assert not etat.intacte and "Émargement n° 2 : son contenu a été modifié." in etat.anomalies
    page = client_de(monde.referent).get(f"/prestations/{cas.pk}/").content.decode()
    assert "Chaîne des preuves rompue" in page


def test_ema02_une_ligne_supprimee_rompt_la_chaine(cas, fabrique):
    for entretien in _entretiens(cas)[:3]:
        _emarger(fabrique, cas, entretien)
    with pgtrigger.ignore("livrables.Emargement:emargement_inalterable"):
        Emargement.objects.filter(prestation=cas, rang=2).delete()
    etat = verifier_chaine(cas)
    assert "Émargement n° 2 manquant dans la chaîne." in etat.anomalies
    with pgtrigger.ignore("livrables.Emargement:emargement_inalterable"):
        Emargement.objects.filter(prestation=cas, rang=3).delete()  # the last one: the journal knows it
    assert any("n° 3 enregistré au journal : il a disparu" in a for a in verifier_chaine(cas).anomalies)


def test_ema02_la_base_refuse_de_modifier_ou_supprimer_une_preuve(cas, fabrique):
    from django.db import DatabaseError, transaction

    _emarger(fabrique, cas, _entretiens(cas)[0])
    with pytest.raises(DatabaseError, match="EMA-02"), transaction.atomic():
        Emargement.objects.update(signataire_nom="x")
    with pytest.raises(DatabaseError, match="EMA-02"), transaction.atomic():
        Emargement.objects.all()._raw_delete(Emargement.objects.db)


def test_ema01_api_emargements_et_chaine(cas, monde, client_de):
    premier = _entretiens(cas)[0]
    client = client_de(monde.referent)
    url = f"/api/prestations/{cas.pk}/emargements/"
    mauvais = client.post(url, {"entretien": premier.pk, "nom": "Jeanne Girard", "consentement": False})
    assert mauvais.status_code == 400 and "consentement" in mauvais.json()
    fait = client.post(url, {"entretien": premier.pk, "nom": "Jeanne Girard", "consentement": True})
    assert fait.status_code == 201 and fait.json()["rang"] == 1
    chaine = client.get(url).json()
    assert chaine["intacte"] is True and chaine["nombre"] == 1
    assert client_de(monde.referent_y).get(url).status_code == 404
    assert (
        client_de(monde.prescripteur).post(url, {"entretien": premier.pk, "nom": "x", "consentement": True}).status_code
        == 403
    )


def test_ema01_un_lien_de_confirmation_pour_un_entretien_deja_emarge_est_refuse(
    cas, fabrique, monde, client_de, client
):
    entretien = _entretiens(cas)[1]
    client_de(monde.referent).post(f"/prestations/{cas.pk}/emargements/{entretien.pk}/", {"action": "lien"})
    courriel = Notification.objects.get(cle__startswith="lien-signature:", canal=Canal.EMAIL)
    code = re.search(r"code à usage unique : (\d{6})", courriel.corps).group(1)
    _emarger(fabrique, cas, entretien)  # signed in person meanwhile
    reponse = client.post(
        courriel.lien, {"signature-code": code, "signature-nom": "Jeanne Girard", "signature-consentement": "on"}
    )
    assert reponse.status_code == 409 and "déjà prouvée" in reponse.content.decode()
    assert Emargement.objects.filter(entretien=entretien).count() == 1
