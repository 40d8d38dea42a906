from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from beneficiaires import services
from beneficiaires.forms import BeneficiaireForm, RechercheForm
from beneficiaires.models import ROLES_ECRITURE, Beneficiaire
from comptes.decorators import acteur_requis
from comptes.models import Role

PAR_PAGE = 25
#: Where a prescripteur orders a prestation for a bénéficiaire (``?beneficiaire=<pk>``).
URL_PRESCRIRE = reverse_lazy("prestations:ldc_creer")


def _peut_ecrire(acteur) -> bool:
    return acteur is not None and acteur.role in ROLES_ECRITURE


@acteur_requis
def liste(request):
    recherche = RechercheForm(request.GET or None)
    criteres = recherche.criteres()
    queryset = (
        Beneficiaire.objects.visible_par(request.acteur).rechercher(**criteres).select_related("commune", "departement")
    )
    page = Paginator(queryset, PAR_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "beneficiaires/liste.html",
        {
            "recherche": recherche,
            "page": page,
            "criteres": criteres,
            "querystring": parametres.urlencode(),
            "peut_creer": _peut_ecrire(request.acteur),
        },
    )


def _lettres_de_commande(request, beneficiaire):
    """The bénéficiaire's lettres de commande the acteur may see."""
    return list(
        beneficiaire.lettres_de_commande.visible_par(request.acteur)
        .select_related("marche__prestataire", "prestation")
        .order_by("-emise_le")[:50]
    )


@acteur_requis
def detail(request, pk):
    beneficiaire = get_object_or_404(
        Beneficiaire.objects.visible_par(request.acteur).select_related(
            "commune", "departement", "organisation", "cree_par"
        ),
        pk=pk,
    )
    return render(
        request,
        "beneficiaires/detail.html",
        {
            "beneficiaire": beneficiaire,
            "age": beneficiaire.age(timezone.localdate()),
            "lettres_de_commande": _lettres_de_commande(request, beneficiaire),
            "peut_modifier": _peut_ecrire(request.acteur),
            "peut_prescrire": request.acteur.role == Role.PRESCRIPTEUR,
            "url_prescrire": f"{URL_PRESCRIRE}?beneficiaire={beneficiaire.pk}",
        },
    )


def _formulaire(request, form, beneficiaire, doublons, titre):
    return render(
        request,
        "beneficiaires/formulaire.html",
        {"form": form, "beneficiaire": beneficiaire, "doublons": doublons, "titre": titre},
    )


@acteur_requis(roles=ROLES_ECRITURE)
@require_http_methods(["GET", "POST"])
def creer(request):
    form = BeneficiaireForm(request.POST or None)
    doublons = []
    if request.method == "POST" and form.is_valid():
        try:
            beneficiaire = services.creer_beneficiaire(
                request.acteur, form.donnees(), confirmer_doublon=form.cleaned_data["confirmer_doublon"]
            )
        except services.DoublonsPossibles as exc:
            doublons = exc.doublons
        except ValidationError as exc:
            form.ajouter_erreurs(exc)
        else:
            messages.success(request, f"Le bénéficiaire {beneficiaire.prenom} {beneficiaire.nom} a été créé.")
            return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    return _formulaire(request, form, None, doublons, "Créer un bénéficiaire")


@acteur_requis(roles=ROLES_ECRITURE)
@require_http_methods(["GET", "POST"])
def modifier(request, pk):
    beneficiaire = get_object_or_404(Beneficiaire.objects.visible_par(request.acteur), pk=pk)
    titre = f"Modifier {beneficiaire.prenom} {beneficiaire.nom}"  # before the form changes the instance
    form = BeneficiaireForm(request.POST or None, instance=beneficiaire)
    doublons = []
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_beneficiaire(
                request.acteur, beneficiaire, form.donnees(), confirmer_doublon=form.cleaned_data["confirmer_doublon"]
            )
        except services.DoublonsPossibles as exc:
            doublons = exc.doublons
        except ValidationError as exc:
            form.ajouter_erreurs(exc)
        else:
            messages.success(request, "Les informations du bénéficiaire ont été enregistrées.")
            return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    return _formulaire(request, form, beneficiaire, doublons, titre)
