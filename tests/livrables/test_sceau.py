"""EMA-02, verifiable: a sealed document passes pyHanko's validation; one byte changed fails
it, and the verification page says so; the stored file is the one whose hash is recorded;
a timestamp server that fails makes the sealing fail (never a silent fallback)."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from livrables import sceau
from livrables.models import Livrable
from livrables.scellement import sceller
from tests.livrables.documents_de_test import lire, signer_tout, textes

pytestmark = pytest.mark.django_db


@pytest.fixture
def contrat(fabrique):
    from livrables import services

    p = fabrique.dossier("MOV")
    livrable = services.rediger(fabrique.referent, p, "contrat_accompagnement")
    livrable = services.soumettre(fabrique.referent, livrable, textes("contrat_accompagnement"))
    return sceller(signer_tout(fabrique, livrable).pk)


def _statut(pdf, certificat_de_sceau):
    racines = list(load_certs_from_pemder([str(certificat_de_sceau / "certificat.pem")]))
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(signature, ValidationContext(trust_roots=racines))


def _un_octet_change(pdf: bytes) -> bytes:
    altere = bytearray(pdf)
    position = altere.index(b"/Title")  # inside the signed byte range
    altere[position + 1] = ord("X")
    return bytes(altere)


def test_ema02_le_validateur_de_pyhanko_accepte_le_document_scelle(contrat, certificat_de_sceau):
    pdf = lire(contrat)
    statut = _statut(pdf, certificat_de_sceau)
    assert statut.intact and statut.valid and statut.trusted and statut.bottom_line
    # The stored file is byte for byte the one whose hash was recorded.
    assert hashlib.sha256(pdf).hexdigest() == contrat.empreinte and len(pdf) == contrat.taille
    assert sceau.verifier(pdf).valide


def test_ema02_un_octet_change_fait_echouer_la_validation(contrat, certificat_de_sceau):
    altere = _un_octet_change(lire(contrat))
    statut = _statut(altere, certificat_de_sceau)
    assert not statut.intact and not statut.bottom_line
    assert not sceau.verifier(altere).valide


def test_ema02_la_page_de_verification_dit_conforme_ou_modifie(contrat, client):
    pdf = lire(contrat)
    bon = client.post("/verification/", {"fichier": SimpleUploadedFile("contrat.pdf", pdf)})
    assert bon.status_code == 200
    page = bon.content.decode()
    assert "Ce fichier est le document scellé par la plateforme, inchangé." in page
    assert contrat.reference in page and "Jeanne Girard" in page  # who signed what when
    mauvais = client.post("/verification/", {"fichier": SimpleUploadedFile("contrat.pdf", _un_octet_change(pdf))})
    assert "Ce fichier a été modifié après son scellement" in mauvais.content.decode()
    # The API says the same, without an account.
    reponse = client.post("/api/verification/", {"fichier": SimpleUploadedFile("c.pdf", _un_octet_change(pdf))})
    assert reponse.status_code == 200 and reponse.json()["altere"] is True and reponse.json()["conforme"] is False


def test_ema02_le_qr_code_mene_la_personne_concernee_a_la_fiche_du_document(contrat, fabrique, monde, client_de):
    from livrables import services

    url = f"/verification/{contrat.reference}/"
    assert client_de(monde.referent).get(url).status_code == 200
    assert client_de(monde.prescripteur).get(url).status_code == 404  # not transmitted to them yet
    services.transmettre(fabrique.referent, contrat)
    reponse = client_de(monde.prescripteur).get(url)
    assert (
        reponse.status_code == 200 and "Ce fichier est le document scellé par la plateforme" in reponse.content.decode()
    )
    assert client_de(monde.prescripteur_b).get(url).status_code == 404  # another organisation
    assert client_de(monde.referent_y).get(url).status_code == 404


def test_ema02_un_serveur_d_horodatage_configure_en_panne_fait_echouer_le_scellement(fabrique, settings):
    from livrables import services

    settings.SCEAU_HORODATAGE_URL = "http://127.0.0.1:9/horodatage"  # nothing listens there
    p = fabrique.dossier("MOV")
    livrable = services.rediger(fabrique.referent, p, "contrat_accompagnement")
    livrable = signer_tout(fabrique, services.soumettre(fabrique.referent, livrable, textes("contrat_accompagnement")))
    with pytest.raises(sceau.SceauIndisponible, match="Horodatage impossible"):
        sceller(livrable.pk)
    livrable = Livrable.objects.get(pk=livrable.pk)
    assert not livrable.fichier and not livrable.empreinte  # signed, but not sealed without its timestamp
