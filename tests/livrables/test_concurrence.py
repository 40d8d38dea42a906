"""Simultaneous transmissions of one deliverable: versions without gaps, no orphan file."""

import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from comptes.acteurs import Acteur
from livrables import services as livrables_services
from livrables.models import Livrable
from prestations.models import Prestation
from tests.prestations.dossiers import jour

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENVOIS = 6


def _fichiers(media_root) -> set[str]:
    """Every file under MEDIA_ROOT, as the storage names it (relative, with slashes)."""
    racine = Path(media_root)
    return {p.relative_to(racine).as_posix() for p in racine.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True)
def test_liv05_simultaneous_uploads_get_versions_1_to_n_and_leave_no_orphan_file(monde, dossiers, client_de, settings):
    prestation = dossiers.nouveau(debut=jour(1), nom="Girard")  # its référent designated
    clients = []
    for _ in range(ENVOIS):
        client = client_de(monde.referent)
        client.raise_request_exception = False  # a crash must show as a 500, not kill the thread
        clients.append(client)
    depart = threading.Barrier(ENVOIS)
    statuts = [None] * ENVOIS

    def envoyer(i):
        try:
            depart.wait()
            statuts[i] = (
                clients[i]
                .post(
                    f"/api/prestations/{prestation.pk}/livrables/",
                    {
                        "type": "bilan_intermediaire",
                        "fichier": SimpleUploadedFile(f"bilan-{i}.pdf", PDF + b"%" + str(i).encode() + b"\n"),
                    },
                )
                .status_code
            )
        finally:
            connection.close()

    fils = [threading.Thread(target=envoyer, args=(i,)) for i in range(ENVOIS)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=60)

    assert set(statuts) <= {201, 409}, statuts
    assert 201 in statuts  # not a vacuous pass: some were stored
    lignes = list(Livrable.objects.filter(prestation=prestation, type="bilan_intermediaire").order_by("version"))
    assert [liv.version for liv in lignes] == list(range(1, statuts.count(201) + 1))
    assert _fichiers(settings.MEDIA_ROOT) == {liv.fichier.name for liv in lignes}


@pytest.mark.django_db
def test_liv05_a_failure_after_the_file_is_written_leaves_neither_file_nor_row(monde, dossiers, settings, monkeypatch):
    prestation = dossiers.nouveau(debut=jour(1), nom="Girard")  # its référent designated

    def journal_en_panne(*args, **kwargs):
        raise RuntimeError("journal indisponible")

    monkeypatch.setattr(livrables_services, "journaliser", journal_en_panne)
    with pytest.raises(RuntimeError, match="journal indisponible"):
        livrables_services.transmettre_livrable(
            Acteur(monde.referent.user, monde.referent),
            Prestation.objects.get(pk=prestation.pk),
            type="bilan_intermediaire",
            fichier=SimpleUploadedFile("bilan.pdf", PDF),
        )
    assert not Livrable.objects.exists()
    assert _fichiers(settings.MEDIA_ROOT) == set()
