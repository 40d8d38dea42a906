"""Attendance proofs (EMA-01): the page of one entretien's émargement (signed here, link by
e-mail, scan of the paper sheet) and the feuille d'émargement of a period as PDF."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commun.exceptions import ActionRefusee
from comptes.decorators import acteur_requis
from livrables import rendu, sceau, signature
from livrables.emargement import CONSENTEMENT_EMARGEMENT, lignes_de_la_feuille, verifier_chaine
from livrables.forms import ScanForm, SignatureForm
from livrables.views import client
from prestations.models import Entretien
from prestations.suivi.dossier import dossiers_visibles
from prestations.suivi.views import appliquer_erreurs


def _entretien(request, pk, entretien_pk):
    prestation = get_object_or_404(dossiers_visibles(request.acteur), pk=pk)
    entretien = get_object_or_404(Entretien.objects.filter(prestation=prestation), pk=entretien_pk)
    return prestation, entretien


@acteur_requis
def emarger(request, pk, entretien_pk):
    """EMA-01 for one entretien: the bénéficiaire signs on this screen (typed name and
    attendance statement, a drawing if wished), or gets a link by e-mail, or the référent
    deposits the scan of the signed paper sheet."""
    prestation, entretien = _entretien(request, pk, entretien_pk)
    beneficiaire = prestation.lettre_de_commande.beneficiaire
    form = SignatureForm(prefix="emargement", declaration=CONSENTEMENT_EMARGEMENT)
    form_scan = ScanForm(prefix="scan")
    refus = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "lien":
                lien = signature.envoyer_lien(request.acteur, prestation, entretien=entretien)
                messages.success(
                    request, f"Lien de confirmation envoyé à {lien.adresse}, avec son code à usage unique."
                )
                return redirect(reverse("prestations:prestation_detail", args=[pk]) + "#emargements")
            if action == "scan":
                form_scan = ScanForm(request.POST, request.FILES, prefix="scan")
                if form_scan.is_valid():
                    signature.emarger_sur_papier(request.acteur, prestation, entretien, form_scan.cleaned_data["scan"])
                    messages.success(request, "Feuille papier enregistrée comme preuve de présence.")
                    return redirect(reverse("prestations:prestation_detail", args=[pk]) + "#emargements")
            else:
                form = SignatureForm(request.POST, prefix="emargement", declaration=CONSENTEMENT_EMARGEMENT)
                if form.is_valid():
                    preuve = signature.emarger_sur_place(
                        request.acteur, prestation, entretien, **form.donnees(), **client(request)
                    )
                    messages.success(request, f"Émargement de {preuve.signataire_nom} enregistré.")
                    return redirect(reverse("prestations:prestation_detail", args=[pk]) + "#emargements")
        except ValidationError as erreur:
            appliquer_erreurs(form_scan if action == "scan" else form, erreur)
        except ActionRefusee as exc:
            refus = exc.message
    statut = 200 if request.method == "GET" else (409 if refus else 400)
    return render(
        request,
        "livrables/emarger.html",
        {
            "prestation": prestation,
            "entretien": entretien,
            "beneficiaire": beneficiaire,
            "preuve": getattr(entretien, "emargement", None),
            "form": form,
            "form_scan": form_scan,
            "refus": refus,
        },
        status=statut,
    )


def _date(valeur):
    try:
        return datetime.date.fromisoformat(valeur) if valeur else None
    except ValueError:
        return None


@acteur_requis
def feuille(request, pk):
    """The feuille d'émargement of a period (``?du=AAAA-MM-JJ&au=AAAA-MM-JJ``), assembled from
    the proofs, rendered as PDF/A and sealed (not stored: it is rebuilt from the chain)."""
    prestation = get_object_or_404(dossiers_visibles(request.acteur), pk=pk)
    du, au = _date(request.GET.get("du")), _date(request.GET.get("au"))
    html = rendu.feuille_html(
        prestation, lignes_de_la_feuille(prestation, du, au), du=du, au=au, chaine=verifier_chaine(prestation)
    )
    pdf, _ = sceau.sceller(rendu.vers_pdf(html, pdfa=True), raison="Feuille d'émargement")
    response = HttpResponse(pdf, content_type="application/pdf")
    nom = f"{prestation.lettre_de_commande.numero}-feuille-emargement.pdf"
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response
