"""The deliverables card of the case page (``{% livrables_du_dossier %}``): the page belongs
to ``prestations``; this app adds its part without ``prestations`` importing it."""

from django import template
from django.core.exceptions import PermissionDenied

from commun.exceptions import ActionRefusee
from livrables.forms import LivrableForm
from livrables.services import verifier_transmission

register = template.Library()


@register.inclusion_tag("livrables/_dossier.html", takes_context=True)
def livrables_du_dossier(context):
    prestation = context["prestation"]
    form = context.get("formulaire_livrable")
    if form is None:
        try:
            verifier_transmission(context["acteur"], prestation)
        except (PermissionDenied, ActionRefusee):
            form = None
        else:
            form = LivrableForm(prestation=prestation, prefix="livrable")
    return {
        "prestation": prestation,
        "livrables": list(prestation.livrables.all()),
        "form": form,
        "refus": context.get("refus_livrable", ""),
        "csrf_token": context.get("csrf_token"),
    }
