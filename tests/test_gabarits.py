"""The guard of ``tests/conftest.py``: an undefined template variable fails when it is
rendered or compared, never when it is only tested (``{% if %}``, ``default``)."""

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from tests.support.gabarits import variable_indefinie_attendue


def rendre(source: str, **contexte) -> str:
    return Template("{% load i18n %}" + source).render(Context(contexte))


@pytest.mark.parametrize(
    "source",
    [
        "{{ absente }}",
        "{{ objet.absent }}",
        "{{ absente|upper }}",
        "{{ absente|date:'d/m/Y' }}",
        "{% blocktranslate %}Bonjour {{ absente }}{% endblocktranslate %}",
        "{% with alias=absente %}{{ alias }}{% endwith %}",
    ],
)
def test_une_variable_indefinie_affichee_echoue(source):
    with variable_indefinie_attendue() as rencontres:
        rendre(source, objet=object())
    [rencontre] = rencontres
    assert rencontre.test.endswith(f"[{source}]")


@pytest.mark.parametrize(
    ("source", "rendu"),
    [
        ("{% if absente %}oui{% else %}non{% endif %}", "non"),
        ("{% if objet.absent == 3 %}oui{% else %}non{% endif %}", "non"),
        ("{{ absente|default:'-' }}", "-"),
        ("{% firstof absente 'x' %}", "x"),
        ("{% for x in absente %}{{ x }}{% empty %}vide{% endfor %}", "vide"),
        ("{{ present }}", "là"),
    ],
)
def test_une_variable_seulement_testee_passe(source, rendu):
    assert rendre(source, present="là", objet=object()) == rendu


def test_la_rencontre_dit_le_gabarit_la_ligne_et_la_page():
    requete = RequestFactory().get("/prestations/12/")
    gabarit = Template("{% if vrai %}\n  <p>{{ dossier.titre_absent }}</p>\n{% endif %}")
    with variable_indefinie_attendue() as rencontres:
        gabarit.render(RequestContext(requete, {"vrai": True, "dossier": object()}))
    [rencontre] = rencontres
    assert (rencontre.ligne, rencontre.expression, rencontre.page) == (
        2,
        "{{ dossier.titre_absent }}",
        "GET /prestations/12/",
    )
