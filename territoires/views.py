"""Commune search for the pickers (HTMX fragment of <option>s, or JSON)."""

from __future__ import annotations

import re
import unicodedata

from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Func, Q, Value
from django.db.models.functions import Concat, Length, Lower, Replace
from django.http import JsonResponse
from django.shortcuts import render

from territoires.models import Commune

NOMBRE_MAXIMUM = 20
LONGUEUR_MINIMUM = 2
LONGUEUR_MAXIMUM = 100

# Accented letters found in commune names, and what they become (one character each);
# apostrophes and hyphens become spaces. The SQL side and the Python side use the same
# table, so a typed query and a stored name always normalise the same way.
_AVEC = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ'’-"
_SANS = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuyy   "
_TABLE = str.maketrans(_AVEC, _SANS)
_LIGATURES = (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"))


def normaliser_nom(texte: str) -> str:
    """Python twin of :func:`nom_normalise_sql` (plus any other accent for the typed query)."""
    for avec, sans in _LIGATURES:
        texte = texte.replace(avec, sans)
    texte = texte.translate(_TABLE)
    texte = "".join(c for c in unicodedata.normalize("NFKD", texte) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", texte.lower()).strip()


def nom_normalise_sql(expression):
    """SQL expression: the name lower-cased, without accents, hyphens and apostrophes.

    Built from ``translate`` and ``replace`` (core PostgreSQL): the ``unaccent``
    extension is not available in the embedded server used by ``make run``.
    """
    for avec, sans in _LIGATURES:
        expression = Replace(expression, Value(avec), Value(sans))
    return Lower(Func(expression, Value(_AVEC), Value(_SANS), function="translate", output_field=CharField()))


def chercher_communes(q: str, limite: int = NOMBRE_MAXIMUM):
    """Communes whose name starts with ``q`` (accents and case ignored) or whose postal code starts with it.

    Exact name matches come first, then the shorter names, then alphabetical order
    and département: "Moulins" lists Moulins (02), Moulins (03), Moulins (35), then
    Moulins-en-Bessin…
    """
    # Control characters (a NUL byte) dropped; a name is never longer than 100 characters.
    q = "".join(c for c in (q or "") if unicodedata.category(c) != "Cc").strip()
    if not LONGUEUR_MINIMUM <= len(q) <= LONGUEUR_MAXIMUM:
        return []
    communes = Commune.objects.select_related("departement")
    if q.isascii() and q.isdigit():
        codes_postaux = Concat(
            Value(","),
            Func(F("codes_postaux"), Value(","), function="array_to_string", output_field=CharField()),
            output_field=CharField(),
        )
        communes = (
            communes.annotate(_codes=codes_postaux)
            .filter(Q(_codes__contains="," + q) | Q(code_insee=q))
            .annotate(_exact=Value(False, output_field=BooleanField()))
        )
    else:
        cherche = normaliser_nom(q)
        communes = (
            communes.annotate(_nom=nom_normalise_sql(F("nom")))
            .filter(_nom__startswith=cherche)
            .annotate(_exact=ExpressionWrapper(Q(_nom=cherche), output_field=BooleanField()))
        )
    return list(communes.order_by("-_exact", Length("nom"), "nom", "departement_id")[:limite])


def communes(request):
    """``GET /territoires/communes/?q=…``: at most 20 communes, as ``<option>``s (or JSON with ``format=json``)."""
    q = request.GET.get("q", "")
    resultats = chercher_communes(q)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "results": [
                    {
                        "code_insee": c.code_insee,
                        "nom": c.nom,
                        "departement": c.departement_id,
                        "codes_postaux": c.codes_postaux,
                        "libelle": str(c),
                    }
                    for c in resultats
                ]
            }
        )
    return render(
        request,
        "territoires/_communes_options.html",
        {"communes": resultats, "q": q.strip()[:LONGUEUR_MAXIMUM], "longueur_minimum": LONGUEUR_MINIMUM},
    )
