"""The PDF templates are rendered by an engine of their own whose undefined variables raise:
a document never shows a blank where a fact should be."""

import pytest

from livrables import documents, rendu


def test_une_variable_indefinie_dans_un_gabarit_pdf_fait_echouer_le_rendu():
    gabarit = rendu.moteur().from_string("<p>{{ dossier.beneficiaire.nom }} {{ dossier.inconnue }}</p>")
    with pytest.raises(rendu.VariableIndefinie, match="dossier.inconnue"):
        gabarit.render(rendu.Context({"dossier": {"beneficiaire": {"nom": "Girard"}}}))


def test_un_gabarit_par_type_de_document():
    for type_ in documents.TYPES:
        rendu.moteur().get_template(rendu.gabarit(type_))
