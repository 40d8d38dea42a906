"""Deliverables transmitted to the prescripteur (LIV-05), their versions and their scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comptes.models import Canal, Notification
from livrables.models import Livrable
from tests.prestations.dossiers import jour

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _deposer(client, prestation, contenu=PDF, type="bilan_intermediaire", nom="bilan.pdf"):
    return client.post(
        reverse("livrables:transmettre", args=[prestation.pk]),
        {"livrable-type": type, "livrable-fichier": SimpleUploadedFile(nom, contenu, content_type="application/pdf")},
    )


def test_liv05_referent_transmits_a_pdf_and_the_prescripteur_is_notified(monde, dossiers, client_de):
    prestation = dossiers.nouveau(debut=jour(1), nom="Girard")  # its référent designated
    response = _deposer(client_de(monde.referent), prestation)
    assert response.status_code == 302
    livrable = Livrable.objects.get()
    assert (livrable.type, livrable.version, livrable.taille) == ("bilan_intermediaire", 1, len(PDF))
    assert len(livrable.empreinte) == 64 and livrable.transmis_le is not None
    notice = Notification.objects.get(canal=Canal.EMAIL, cle=f"livrable:{livrable.pk}")
    assert notice.destinataire == monde.prescripteur.user
    page = client_de(monde.prescripteur).get(reverse("prestations:prestation_detail", args=[prestation.pk]))
    assert "Bilan intermédiaire" in page.content.decode() and "transmis le" in page.content.decode()
    fichier = client_de(monde.prescripteur).get(reverse("livrables:telecharger", args=[livrable.pk]))
    assert fichier.status_code == 200 and b"".join(fichier.streaming_content) == PDF


def test_liv05_a_correction_is_a_new_version_never_a_replacement(monde, dossiers, client_de):
    prestation = dossiers.nouveau(debut=jour(1), nom="Girard")  # its référent designated
    client = client_de(monde.referent)
    _deposer(client, prestation)
    _deposer(client, prestation, contenu=PDF + b"% v2\n")
    versions = list(Livrable.objects.order_by("version").values_list("version", "taille"))
    assert versions == [(1, len(PDF)), (2, len(PDF) + 5)]


def test_liv05_only_a_pdf_of_the_rule_set_is_accepted(monde, dossiers, client_de):
    prestation = dossiers.nouveau(debut=jour(1), nom="Girard")  # its référent designated
    client = client_de(monde.referent)
    refus = _deposer(client, prestation, contenu=b"Bonjour", nom="bilan.docx")
    assert refus.status_code == 400 and "Le fichier doit être un PDF." in refus.content.decode()
    inconnu = _deposer(client, prestation, type="rapport_positionnement_initial")  # a BAM deliverable
    assert inconnu.status_code == 400
    assert not Livrable.objects.exists()


def test_liv05_deliverables_stay_in_scope(monde, dossiers, client_de):
    prestation = dossiers.nouveau(debut=jour(1), nom="Girard")  # its référent designated
    _deposer(client_de(monde.referent), prestation)
    livrable = Livrable.objects.get()
    for autre in (monde.referent_y, monde.prescripteur_b):
        assert client_de(autre).get(reverse("livrables:telecharger", args=[livrable.pk])).status_code == 404
    assert _deposer(client_de(monde.referent_y), prestation).status_code == 404
    assert _deposer(client_de(monde.prescripteur), prestation).status_code == 403


def test_liv05_api_transmission(monde, dossiers, client_de):
    prestation = dossiers.nouveau(debut=jour(1), nom="Girard")  # its référent designated
    client = client_de(monde.referent)
    response = client.post(
        f"/api/prestations/{prestation.pk}/livrables/",
        {"type": "bilan_intermediaire", "fichier": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    refus = client.post(
        f"/api/prestations/{prestation.pk}/livrables/",
        {"type": "bilan_intermediaire", "fichier": SimpleUploadedFile("b.txt", b"texte", content_type="text/plain")},
    )
    assert refus.status_code == 400 and "fichier" in refus.json()
    assert client.get(f"/api/prestations/{prestation.pk}/livrables/").json()[0]["type"] == "bilan_intermediaire"
