"""The guard against undefined template variables (see ``tests/conftest.py``).

``VariableIndefinie`` is put in the Django engine's ``string_if_invalid`` during the
tests. Django hands that value over in place of a variable it could not resolve; the
object behaves like the empty string of production wherever a template only *tests*
the variable, and fails (raises ``VariableDeGabaritIndefinie`` and records where)
wherever the template *renders* or *compares* it. ``RENCONTRES`` keeps every such
place of the run, so that the session can list them and a test fails even when the
exception was swallowed (a live server thread, an ``{% if %}`` comparison).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass


class VariableDeGabaritIndefinie(Exception):
    """A template rendered or compared a variable that is not in its context."""


@dataclass(frozen=True)
class Rencontre:
    """Where an undefined variable was met: template, line, the ``{{ variable }}`` or
    ``{% tag %}`` that rendered or compared it, page, test."""

    gabarit: str
    ligne: int | None
    expression: str
    page: str
    test: str

    def __str__(self) -> str:
        ligne = f", ligne {self.ligne}" if self.ligne else ""
        return f"{self.gabarit}{ligne} : {self.expression} ({self.page}) — {self.test}"


RENCONTRES: list[Rencontre] = []
_verrou = threading.Lock()
_test_en_cours = {"id": "(hors test)"}


def commencer_test(nodeid: str) -> int:
    """Name the running test in the records; returns how many records there were before it."""
    _test_en_cours["id"] = nodeid
    with _verrou:
        return len(RENCONTRES)


def rencontres_depuis(debut: int) -> list[Rencontre]:
    with _verrou:
        return RENCONTRES[debut:]


def _ou() -> tuple[str, int | None, str, str]:
    """Template, line, expression and page of the innermost template node being rendered."""
    from django.template.base import Node, VariableNode
    from django.template.context import BaseContext

    noeud, contexte, cle = None, None, None
    frame = sys._getframe(2)
    while frame is not None and (noeud is None or contexte is None):
        variables = frame.f_locals
        if cle is None and frame.f_code.co_name == "render_value" and "key" in variables:
            cle = variables["key"]  # {% blocktranslate %}: the name of the missing variable
        if contexte is None and isinstance(variables.get("context"), BaseContext):
            contexte = variables["context"]
        if noeud is None and isinstance(variables.get("self"), Node):
            noeud = variables["self"]
        frame = frame.f_back
    gabarit, ligne, expression = "(gabarit inconnu)", None, "?" if cle is None else f"{{{{ {cle} }}}}"
    if noeud is not None:
        origine = getattr(noeud, "origin", None)
        gabarit = getattr(origine, "template_name", None) or getattr(origine, "name", None) or gabarit
        jeton = getattr(noeud, "token", None)
        ligne = getattr(jeton, "lineno", None)
        if cle is None:
            if isinstance(noeud, VariableNode):
                expression = f"{{{{ {noeud.filter_expression.token} }}}}"
            elif jeton is not None:
                expression = f"{{% {jeton.contents} %}}"
    requete = getattr(contexte, "request", None)
    page = f"{requete.method} {requete.get_full_path()}" if requete is not None else "rendu hors requête"
    return str(gabarit), ligne, str(expression), page


class VariableIndefinie:
    """``string_if_invalid`` during the tests: falsy and empty to what only tests it,
    raising to what renders or compares it (``__str__``, ``__eq__``, ``__contains__``)."""

    def _echouer(self, *args):
        gabarit, ligne, expression, page = _ou()
        rencontre = Rencontre(gabarit, ligne, expression, page, _test_en_cours["id"])
        with _verrou:
            RENCONTRES.append(rencontre)
        raise VariableDeGabaritIndefinie(f"Variable de gabarit indéfinie : {rencontre}")

    __str__ = _echouer  # {{ x }}, and every string filter ({{ x|upper }}, escaping)
    __eq__ = _echouer  # compared: {{ x|date }}, {% ifchanged %}...
    __contains__ = _echouer  # {% blocktranslate %} with a missing variable
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return False  # {% if x %}, {{ x|default:"…" }}, {{ x|yesno }} as with production's ""

    def __iter__(self):
        return iter(())  # {% for y in x %} as with production's ""

    def __repr__(self) -> str:
        return "<variable de gabarit indéfinie>"


class variable_indefinie_attendue:
    """``with variable_indefinie_attendue() as rencontres:`` the block must meet an undefined
    variable; what it met is handed over (and taken off the run's records) to be checked.
    Only for the tests of the guard itself."""

    def __enter__(self) -> list[Rencontre]:
        with _verrou:
            self._debut = len(RENCONTRES)
        self.rencontres: list[Rencontre] = []
        return self.rencontres

    def __exit__(self, type_, exc, tb) -> bool:
        with _verrou:
            self.rencontres.extend(RENCONTRES[self._debut :])
            del RENCONTRES[self._debut :]
        if type_ is None:
            raise AssertionError("aucune variable de gabarit indéfinie n'a été rencontrée")
        return issubclass(type_, VariableDeGabaritIndefinie)
