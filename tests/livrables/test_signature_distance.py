"""Remote signing (EMA-01, EMA-02): an e-mail link valid for a limited time with a one-time
code; expired, reused or wrong-code links are refused with a clear page; the right code
signs once. The bénéficiaire has no account."""

import datetime
import re

import pytest

from comptes.models import Canal, Notification
from livrables import services
from livrables.models import LienSignature, Livrable, Signature
from tests.livrables.documents_de_test import textes

pytestmark = pytest.mark.django_db


@pytest.fixture
def envoi(fabrique, monde, client_de):
    """The contract submitted, its link e-mailed to the bénéficiaire: (livrable, path, code)."""
    p = fabrique.dossier("MOV")
    livrable = services.soumettre(
        fabrique.referent,
        services.rediger(fabrique.referent, p, "contrat_accompagnement"),
        textes("contrat_accompagnement"),
    )
    assert client_de(monde.referent).post(f"/livrables/{livrable.pk}/lien/").status_code == 302
    courriel = Notification.objects.get(cle__startswith="lien-signature:", canal=Canal.EMAIL)
    assert courriel.destinataire is None and courriel.adresse == "jeanne.girard@exemple.test"
    code = re.search(r"code à usage unique : (\d{6})", courriel.corps).group(1)
    return livrable, courriel.lien, code


def _signer(client, chemin, code, nom="Jeanne Girard"):
    return client.post(chemin, {"signature-code": code, "signature-nom": nom, "signature-consentement": "on"})


def test_ema02_le_bon_code_signe_une_seule_fois(envoi, client):
    livrable, chemin, code = envoi
    page = client.get(chemin)  # no account: LoginRequiredMiddleware lets it through
    assert page.status_code == 200 and "Code reçu par e-mail" in page.content.decode()
    assert client.get(chemin.rstrip("/") + "/document.pdf").status_code == 200
    reponse = _signer(client, chemin, code)
    assert reponse.status_code == 200 and "Votre signature du document" in reponse.content.decode()
    signature = Signature.objects.get(livrable=livrable)
    assert (signature.role, signature.methode, signature.utilisateur) == ("beneficiaire", "a_distance", None)
    assert signature.empreinte_document == livrable.empreinte_a_signer
    # Reused: refused with a clear page, nothing signed twice.
    encore = _signer(client, chemin, code)
    assert encore.status_code == 410 and "Ce lien a déjà été utilisé" in encore.content.decode()
    assert Signature.objects.filter(livrable=livrable).count() == 1


def test_ema02_un_mauvais_code_est_refuse_et_cinq_bloquent_le_lien(envoi, client):
    livrable, chemin, code = envoi
    faux = "000000" if code != "000000" else "111111"
    reponse = _signer(client, chemin, faux)
    assert reponse.status_code == 400 and "Code erroné. Il vous reste 4 essais." in reponse.content.decode()
    for _ in range(4):
        _signer(client, chemin, faux)
    bloque = _signer(client, chemin, code)  # even the right code, now
    assert bloque.status_code == 410 and "bloqué après plusieurs codes erronés" in bloque.content.decode()
    assert not Signature.objects.filter(livrable=livrable).exists()


def test_ema02_un_lien_expire_est_refuse(envoi, client, time_machine, settings):
    livrable, chemin, code = envoi
    time_machine.move_to(LienSignature.objects.get().expire_le + datetime.timedelta(seconds=1), tick=False)
    reponse = _signer(client, chemin, code)
    assert reponse.status_code == 410 and "Ce lien a expiré le" in reponse.content.decode()
    assert client.get(chemin).status_code == 410
    assert not Signature.objects.filter(livrable=livrable).exists()


def test_ema02_un_lien_inconnu_ou_d_une_version_remplacee_est_refuse(envoi, client, fabrique):
    livrable, chemin, code = envoi
    assert client.get("/signature/nimporte-quoi/").status_code == 404
    services.corriger(fabrique.referent, Livrable.objects.get(pk=livrable.pk), "Coquille")
    reponse = _signer(client, chemin, code)
    assert reponse.status_code == 410 and "Ce lien a expiré" in reponse.content.decode()


def test_ema02_un_beneficiaire_sans_e_mail_signe_sur_place_ou_sur_papier(fabrique, monde, client_de):
    p = fabrique.dossier("MOV", email="")
    livrable = services.soumettre(
        fabrique.referent,
        services.rediger(fabrique.referent, p, "contrat_accompagnement"),
        textes("contrat_accompagnement"),
    )
    client = client_de(monde.referent)
    refus = client.post(f"/livrables/{livrable.pk}/lien/")
    assert refus.status_code == 409 and "pas d&#x27;adresse e-mail" in refus.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = b"%PDF-1.4\n% scan signe\n%%EOF\n"
    reponse = client.post(f"/livrables/{livrable.pk}/scan/", {"scan-scan": SimpleUploadedFile("scan.pdf", scan)})
    assert reponse.status_code == 302
    livrable = Livrable.objects.get(pk=livrable.pk)
    assert livrable.etat == "signe" and livrable.scan
    signatures = list(livrable.signatures.order_by("role"))
    assert [(s.role, s.methode, s.enregistree_par) for s in signatures] == [
        ("beneficiaire", "papier", monde.referent.user),
        ("referent", "papier", monde.referent.user),
    ]
    refus_type = client.post(f"/livrables/{livrable.pk}/scan/", {"scan-scan": SimpleUploadedFile("s.pdf", b"texte")})
    assert refus_type.status_code in (400, 409)
