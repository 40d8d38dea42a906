"""The OpenAPI schema (drf-spectacular) documents the errors every operation answers with:
403 (role or organisation), 404 (an object outside the scope), 400 (bad input, with the
errors by field). Operations that a rule may refuse document their 409 themselves."""

from __future__ import annotations

ERREURS = {
    "400": "Données invalides : les erreurs sont données par champ.",
    "403": "Votre rôle ou votre organisation ne permet pas cette action.",
    "404": "Inexistant, ou hors de votre périmètre.",
}


def reponses_d_erreur(result, generator, request, public):
    """Post-processing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``)."""
    for chemin, operations in result.get("paths", {}).items():
        for methode, operation in operations.items():
            reponses = operation.setdefault("responses", {})
            codes = ["403"]
            if "{" in chemin:
                codes.append("404")
            if methode in ("post", "put", "patch") or operation.get("parameters"):
                codes.append("400")
            for code in codes:
                reponses.setdefault(code, {"description": ERREURS[code]})
    return result
