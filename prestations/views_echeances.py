"""The « à traiter » work queue: every open échéance of the acteur's cases, soonest first."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from comptes.decorators import acteur_requis
from comptes.models import Role
from prestations.models.echeances import Echeance

AIDE = {
    "contractualisation": "Recevoir le bénéficiaire et enregistrer la contractualisation.",
    "copie_contrat": "Vérifier que la copie du contrat est partie chez le prescripteur.",
    "information_refus": "Informer le prescripteur du refus de signer.",
    "information_interruption": "Informer le prescripteur et transmettre les livrables des phases réalisées.",
    "ecart_entretiens": "Tenir et saisir un entretien avec le bénéficiaire.",
    "fin_prestation": "Préparer la sortie ; le prescripteur décide d'un renouvellement.",
    "suivi_emploi": "Appeler ou recevoir la personne et saisir l'entretien de suivi.",
}


@acteur_requis(roles=[Role.REFERENT, Role.RESPONSABLE, Role.PRESCRIPTEUR, Role.ADMINISTRATEUR])
def a_traiter(request):
    acteur = request.acteur
    maintenant = timezone.now()
    queryset = (
        Echeance.objects.visible_par(acteur)
        .a_faire()
        .select_related("prestation__lettre_de_commande__beneficiaire", "prestation__referent")
        .order_by("due_le", "pk")
    )
    if acteur.role == Role.REFERENT and request.GET.get("toutes") != "1":
        queryset = queryset.filter(Q(prestation__referent=acteur.user))
    if request.GET.get("retard") == "1":
        queryset = queryset.filter(due_le__lte=maintenant)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    lignes = []
    for echeance in page:
        depart = timezone.localdate(echeance.depart_le)
        due = timezone.localdate(echeance.due_le)
        jour = (timezone.localdate(maintenant) - depart).days
        total = (due - depart).days - 1
        lignes.append(
            {
                "echeance": echeance,
                "age": f"J+{jour} sur {total}" if total > 0 else "",
                "en_retard": echeance.due_le <= maintenant,
                "aide": AIDE.get(echeance.type, ""),
            }
        )
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "prestations/a_traiter.html",
        {"page": page, "lignes": lignes, "querystring": querystring.urlencode()},
    )
