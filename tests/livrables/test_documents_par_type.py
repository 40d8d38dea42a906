"""LIV-05: every document of the texts renders to PDF/A from the case, in French, dated,
with the parties and page numbers (one page of each saved under test-artifacts/)."""

import pytest

from livrables import documents
from livrables.models import EtatLivrable
from tests.livrables.documents_de_test import capture, document_signe, identification_pdfa, lire, pages, texte_pdf

pytestmark = pytest.mark.django_db

#: Pages of each kind's document for the typical case of ``dossier_pour`` (the bilans carry
#: the feuille d'émargement on a page of its own).
PAGES = {
    "contrat_accompagnement": (1, 2),
    "bilan_intermediaire": (2, 3),
    "bilan_final": (3, 4),
    "synthese_bilan_competences": (2, 3),
    "rapport_positionnement_initial": (1, 2),
    "carnet_de_suivi": (2, 3),
    "rapport_positionnement_final": (2, 3),
    "diagnostic_mobilite": (1, 2),
    "bilan_parcours_mobilite": (2, 3),
    "fiche_niveau_1": (1, 2),
    "document_synthese": (2, 3),
    "lettre_de_commande": (1, 2),
}


def test_liv05_chaque_type_de_document_a_son_nombre_de_pages_attendu():
    assert set(PAGES) == set(documents.TYPES)


@pytest.mark.parametrize("type_", sorted(documents.TYPES))
def test_liv05_le_document_se_rend_en_pdfa_avec_les_faits_du_dossier(fabrique, monde, artifacts, type_):
    livrable = document_signe(fabrique, type_)
    # Signed and sealed (the accepted lettre de commande goes to the prescripteur at once).
    assert livrable.etat in (EtatLivrable.SIGNE, EtatLivrable.TRANSMIS) and livrable.fichier
    pdf = lire(livrable)
    texte = texte_pdf(pdf)
    ldc = livrable.prestation.lettre_de_commande
    attendus = [
        documents.libelle(type_),
        "Jeanne Girard",  # the bénéficiaire, with the contact details a provider needs
        "12 rue des Tanneurs",
        "06 12 34 56 78",
        "jeanne.girard@exemple.test",
        "Prestataire X",  # prestataire, prescripteur, financeur, marché
        "Agence A",
        "DR ARA",
        ldc.marche.reference,
        ldc.numero,
        livrable.reference,
        "édité le",
        "Page 1 sur",
        "scellé par Plateforme Prestations (tests)",
    ]
    attendus += [f"Rubrique {i + 1} rédigée pour le test" for i in range(len(documents.rubriques(type_)))]
    if type_ in documents.AVEC_FEUILLE_D_EMARGEMENT:
        attendus.append("feuille d'émargement")
    manquants = [a for a in attendus if a not in texte]
    assert not manquants, f"{type_} : absent du PDF : {manquants}"
    minimum, maximum = PAGES[type_]
    assert minimum <= pages(pdf) <= maximum, f"{type_} : {pages(pdf)} pages"
    assert identification_pdfa(pdf) == ("3", "B")
    capture(pdf, artifacts / "livrables", type_)
