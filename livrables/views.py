from django.http import FileResponse
from django.shortcuts import get_object_or_404

from comptes.decorators import acteur_requis
from livrables.models import Livrable


@acteur_requis
def telecharger(request, pk):
    """Download a transmitted deliverable; outside the acteur's scope it is a 404."""
    livrable = get_object_or_404(Livrable.objects.visible_par(request.acteur).select_related("prestation"), pk=pk)
    nom = f"{livrable.prestation.lettre_de_commande.numero}-{livrable.type}-v{livrable.version}.pdf"
    return FileResponse(livrable.fichier.open("rb"), as_attachment=True, filename=nom, content_type="application/pdf")
