"""Deliverables on the case page: transmit one (LIV-05), download one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commun.exceptions import ActionRefusee
from comptes.decorators import acteur_requis
from livrables.forms import LivrableForm
from livrables.models import Livrable
from livrables.services import transmettre_livrable
from prestations.suivi.dossier import contexte_dossier, dossiers_visibles
from prestations.suivi.views import GABARIT_DOSSIER, appliquer_erreurs


@acteur_requis
def telecharger(request, pk):
    """Download a transmitted deliverable; outside the acteur's scope it is a 404."""
    livrable = get_object_or_404(Livrable.objects.visible_par(request.acteur).select_related("prestation"), pk=pk)
    nom = f"{livrable.prestation.lettre_de_commande.numero}-{livrable.type}-v{livrable.version}.pdf"
    return FileResponse(livrable.fichier.open("rb"), as_attachment=True, filename=nom, content_type="application/pdf")


@require_POST
@acteur_requis
def transmettre(request, pk):
    """LIV-01..05: transmit a deliverable (PDF) to the prescripteur; errors come back at
    the form's fields, a refusal in the deliverables card (409 without JavaScript)."""
    prestation = get_object_or_404(dossiers_visibles(request.acteur), pk=pk)
    form = LivrableForm(request.POST, request.FILES or None, prestation=prestation, prefix="livrable")
    refus = ""
    if form.is_valid():
        try:
            livrable = transmettre_livrable(request.acteur, prestation, **form.donnees())
        except ValidationError as erreur:
            appliquer_erreurs(form, erreur)
        except ActionRefusee as exc:
            refus = exc.message
        else:
            message = f"{livrable.get_type_display()} (version {livrable.version}) transmis au prescripteur."
            if request.htmx:
                frais = get_object_or_404(dossiers_visibles(request.acteur), pk=pk)
                return render(request, GABARIT_DOSSIER, contexte_dossier(request.acteur, frais, succes=message))
            messages.success(request, message)
            return redirect("prestations:prestation_detail", pk=pk)
    contexte = contexte_dossier(request.acteur, prestation)
    contexte.update(formulaire_livrable=form, refus_livrable=refus)
    if request.htmx:
        return render(request, GABARIT_DOSSIER, contexte)
    return render(request, "prestations/prestation_detail.html", contexte, status=409 if refus else 400)
