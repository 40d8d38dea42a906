from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from beneficiaires.models import Beneficiaire
from commun.bornes import identifiant
from commun.exceptions import ActionRefusee
from comptes.decorators import acteur_requis
from comptes.models import Role
from prestations import dispositifs
from prestations.commandes import services
from prestations.commandes.eligibilite import faits_eligibilite
from prestations.commandes.filters import LettreDeCommandeFilter
from prestations.commandes.forms import DesignationReferentForm, LettreDeCommandeForm, ReorientationForm
from prestations.commandes.pdf import pdf_lettre_de_commande
from prestations.exceptions import BeneficiaireIneligible
from prestations.models import LettreDeCommande, Marche


def _appliquer_erreurs(form, erreur: ValidationError):
    for champ, messages_ in erreur.message_dict.items():
        form.add_error(champ if champ in form.fields else None, messages_)


@acteur_requis
def ldc_liste(request):
    acteur = request.acteur
    base = LettreDeCommande.objects.visible_par(acteur).pour_liste()
    filtre = LettreDeCommandeFilter(request.GET or None, queryset=base, acteur=acteur)
    page = Paginator(filtre.qs, 25).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "prestations/ldc_liste.html",
        {"filtre": filtre, "page": page, "querystring": querystring.urlencode()},
    )


def _beneficiaire_choisi(request):
    pk = identifiant(request.POST.get("beneficiaire") or request.GET.get("beneficiaire"))
    if pk is None:
        return None
    return get_object_or_404(
        Beneficiaire.objects.visible_par(request.acteur).select_related("commune", "departement"), pk=pk
    )


@acteur_requis(roles=[Role.PRESCRIPTEUR])
def ldc_creer(request):
    beneficiaire = _beneficiaire_choisi(request)
    if beneficiaire is None:
        messages.info(request, "Choisissez d'abord le bénéficiaire de la prestation, ou créez-le.")
        return redirect("beneficiaires:liste")
    aujourd_hui = timezone.localdate()
    marches = services.marches_disponibles(request.acteur, beneficiaire, aujourd_hui)
    form = LettreDeCommandeForm(request.POST or None, marches=marches, initial={"date_debut": aujourd_hui})
    contexte = {"form": form, "beneficiaire": beneficiaire, "nb_marches": marches.count()}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ldc = services.creer_lettre_de_commande(
                request.acteur,
                beneficiaire=beneficiaire,
                marche=data["marche"],
                date_debut=data["date_debut"],
                accord_beneficiaire=data["accord_beneficiaire"],
                motivation=data["motivation"],
            )
        except ValidationError as erreur:
            _appliquer_erreurs(form, erreur)
        except BeneficiaireIneligible as refus:
            contexte.update(
                ineligibilites=refus.ineligibilites,
                reorientation_form=ReorientationForm(),
                marche=data["marche"],
            )
        else:
            messages.success(request, f"Lettre de commande {ldc.numero} émise et transmise à {ldc.marche.prestataire}.")
            for avertissement in ldc.avertissements:
                messages.warning(request, f"{avertissement['message']} ({avertissement['regle']})")
            return redirect("prestations:ldc_detail", pk=ldc.pk)
    return render(request, "prestations/ldc_form.html", contexte)


@require_GET
@acteur_requis(roles=[Role.PRESCRIPTEUR])
def ldc_apercu_fin(request):
    """HTMX: the end date the dispositif's rule set gives for the chosen marché and start
    date; a date or marché that cannot be read is a 400 with the reason."""
    form = LettreDeCommandeForm(request.GET, marches=Marche.objects.visible_par(request.acteur))
    form.is_valid()
    marche, debut = form.cleaned_data.get("marche"), form.cleaned_data.get("date_debut")
    erreurs = [e for champ in ("marche", "date_debut") for e in form.errors.get(champ, []) if request.GET.get(champ)]
    if erreurs:
        return HttpResponse(" ".join(erreurs), status=400)
    texte = "Choisissez le marché et la date de début pour calculer la date de fin."
    if marche and debut:
        try:
            regle = dispositifs.regle_en_vigueur(marche.dispositif, debut)
            fin = regle.date_fin(debut, marche.duree_prestation_jours)
        except (dispositifs.DispositifInconnu, ValueError) as exc:
            return HttpResponse(str(exc), status=400)
        texte = f"Fin prévue le {fin:%d/%m/%Y} ({regle.nom})." if fin else f"{regle.nom} : pas de date de fin."
    return HttpResponse(texte)


@require_POST
@acteur_requis(roles=[Role.PRESCRIPTEUR])
def reorientation_creer(request):
    """PMA-03: the eligibility is re-checked here; the re-orientation is recorded with its reasons."""
    beneficiaire = _beneficiaire_choisi(request)
    if beneficiaire is None:
        return redirect("beneficiaires:liste")
    marche = get_object_or_404(
        Marche.objects.visible_par(request.acteur), pk=identifiant(request.POST.get("marche")) or 0
    )
    debut = timezone.localdate()
    regle = dispositifs.regle_en_vigueur(marche.dispositif, debut)
    ineligibilites = regle.verifier_eligibilite(faits_eligibilite(beneficiaire, debut))
    if not ineligibilites:
        messages.info(request, "Le bénéficiaire remplit désormais les critères : la prescription est possible.")
        return redirect(f"{_url_creation()}?beneficiaire={beneficiaire.pk}")
    form = ReorientationForm(request.POST)
    if form.is_valid():
        try:
            services.enregistrer_reorientation(
                request.acteur,
                beneficiaire=beneficiaire,
                marche=marche,
                ineligibilites=ineligibilites,
                **form.cleaned_data,
            )
        except ValidationError as erreur:
            _appliquer_erreurs(form, erreur)
        else:
            messages.success(request, "Réorientation enregistrée (PMA-03).")
            return redirect("beneficiaires:detail", pk=beneficiaire.pk)
    marches = Marche.objects.filter(pk=marche.pk)
    ldc_form = LettreDeCommandeForm(initial={"marche": marche.pk, "dispositif": marche.dispositif}, marches=marches)
    return render(
        request,
        "prestations/ldc_form.html",
        {
            "form": ldc_form,
            "beneficiaire": beneficiaire,
            "ineligibilites": ineligibilites,
            "reorientation_form": form,
            "marche": marche,
            "nb_marches": 1,
        },
        status=400,
    )


def _url_creation():
    from django.urls import reverse

    return reverse("prestations:ldc_creer")


def _ldc_visible(request, pk):
    return get_object_or_404(
        LettreDeCommande.objects.visible_par(request.acteur)
        .pour_liste()
        .select_related("marche__financeur", "beneficiaire__commune"),
        pk=pk,
    )


@acteur_requis
def ldc_detail(request, pk):
    ldc = _ldc_visible(request, pk)
    prestation = ldc.prestation
    peut_designer = request.acteur.role == Role.RESPONSABLE
    contexte = {
        "ldc": ldc,
        "prestation": prestation,
        "regle": ldc.regle,
        "evenements": ldc.evenements.select_related("auteur", "organisation")[:100],
        "form_referent": DesignationReferentForm(prestataire=ldc.marche.prestataire) if peut_designer else None,
    }
    return render(request, "prestations/ldc_detail.html", contexte)


@require_POST
@acteur_requis
def ldc_designer_referent(request, pk):
    ldc = _ldc_visible(request, pk)
    form = DesignationReferentForm(request.POST, prestataire=ldc.marche.prestataire)
    if form.is_valid():
        try:
            prestation = services.designer_referent(request.acteur, ldc.prestation, form.cleaned_data["referent"])
        except ValidationError as erreur:
            _appliquer_erreurs(form, erreur)
        except ActionRefusee as refus:
            messages.error(request, refus.message)
            return redirect("prestations:ldc_detail", pk=ldc.pk)
        else:
            messages.success(request, f"{prestation.referent} est le référent de la prestation {ldc.numero}.")
            return redirect("prestations:ldc_detail", pk=ldc.pk)
    contexte = {
        "ldc": ldc,
        "prestation": ldc.prestation,
        "regle": ldc.regle,
        "evenements": ldc.evenements.select_related("auteur", "organisation")[:100],
        "form_referent": form,
    }
    return render(request, "prestations/ldc_detail.html", contexte, status=400)


@acteur_requis
def ldc_pdf(request, pk):
    ldc = _ldc_visible(request, pk)
    contenu = pdf_lettre_de_commande(ldc)
    response = HttpResponse(contenu, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{ldc.numero}.pdf"'
    return response
