"""The « à traiter » work queue page (the query and each row's state: ``prestations.echeances.horloges``)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from comptes.decorators import acteur_requis
from prestations.echeances.horloges import ROLES, avancement, echeances_a_traiter


@acteur_requis(roles=list(ROLES))
def a_traiter(request):
    maintenant = timezone.now()
    queryset = echeances_a_traiter(
        request.acteur,
        en_retard=request.GET.get("retard") == "1",
        maintenant=maintenant,
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    lignes = []
    for echeance in page:
        etat = avancement(echeance, maintenant)
        lignes.append({"echeance": echeance, "age": etat.libelle, "en_retard": etat.en_retard, "aide": etat.aide})
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "prestations/a_traiter.html",
        {"page": page, "lignes": lignes, "querystring": querystring.urlencode()},
    )
