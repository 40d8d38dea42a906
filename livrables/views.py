"""Pages of the documents of a case (LIV-05, EMA-02): the deposit of a PDF signed on paper
from the case page, the document's page (draft form, preview, signatures, correction,
transmission), the signing page, downloads.

Every action calls one service of ``livrables.services`` / ``livrables.signature`` and
only translates its errors: ``ValidationError`` → field errors (400), ``ActionRefusee``
→ the rule's message (409), ``PermissionDenied`` → 403, out of scope → 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commun.exceptions import ActionRefusee
from comptes.decorators import acteur_requis
from livrables import documents, services, signature
from livrables.forms import BrouillonForm, CorrectionForm, LivrableForm, ScanForm, SignatureForm
from livrables.models import EtatLivrable, Livrable, RoleSignataire
from livrables.verification import verifier_livrable
from prestations.models import Etat
from prestations.suivi.dossier import contexte_dossier, dossiers_visibles
from prestations.suivi.views import GABARIT_DOSSIER, appliquer_erreurs


def client(request) -> dict:
    """Where a signature comes from (recorded with it)."""
    return {"ip": request.META.get("REMOTE_ADDR"), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:500]}


def livrable_visible(request, pk) -> Livrable:
    return get_object_or_404(
        Livrable.objects.visible_par(request.acteur).select_related(
            "prestation__lettre_de_commande__beneficiaire",
            "prestation__lettre_de_commande__marche__prestataire",
            "prestation__referent",
        ),
        pk=pk,
    )


def _fichier(fichier, nom, *, attachment=True):
    return FileResponse(fichier.open("rb"), as_attachment=attachment, filename=nom, content_type="application/pdf")


@acteur_requis
def telecharger(request, pk):
    """Download the final file of a version (sealed PDF/A, or the deposited scan)."""
    livrable = livrable_visible(request, pk)
    if not livrable.fichier:
        raise Http404("Ce document n'a pas encore de fichier final.")
    nom = f"{livrable.prestation.lettre_de_commande.numero}-{livrable.type}-v{livrable.version}.pdf"
    return _fichier(livrable.fichier, nom)


@acteur_requis
def document_a_signer(request, pk):
    livrable = livrable_visible(request, pk)
    if not livrable.fichier_a_signer:
        raise Http404("Ce document n'a pas été soumis à signature.")
    return _fichier(livrable.fichier_a_signer, f"{livrable.type}-v{livrable.version}-a-signer.pdf", attachment=False)


@acteur_requis
def apercu(request, pk):
    """The draft rendered as PDF, on request (not stored)."""
    livrable = livrable_visible(request, pk)
    response = HttpResponse(services.apercu(livrable), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="apercu-{livrable.type}-v{livrable.version}.pdf"'
    return response


@require_POST
@acteur_requis
def transmettre(request, pk):
    """LIV-05: a deliverable signed on paper, deposited as a PDF and transmitted to the
    prescripteur; errors come back at the form's fields, a refusal in the deliverables
    card (409 without JavaScript)."""
    prestation = get_object_or_404(dossiers_visibles(request.acteur), pk=pk)
    form = LivrableForm(request.POST, request.FILES or None, prestation=prestation, prefix="livrable")
    refus = ""
    if form.is_valid():
        try:
            livrable = services.transmettre_livrable(request.acteur, prestation, **form.donnees())
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


@require_POST
@acteur_requis
def rediger(request, pk):
    """A new draft of a document the case needs now, pre-filled from the case."""
    prestation = get_object_or_404(dossiers_visibles(request.acteur), pk=pk)
    type_ = request.POST.get("type", "")
    try:
        livrable = services.rediger(request.acteur, prestation, type_)
        if type_ == documents.LETTRE_DE_COMMANDE:  # nothing to write: straight to the signature
            livrable = services.soumettre(request.acteur, livrable)
            return redirect(reverse("livrables:signer", args=[livrable.pk]) + "?role=responsable")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect("prestations:prestation_detail", pk=pk)
    except ActionRefusee as exc:
        messages.error(request, exc.message)
        return redirect(reverse("prestations:prestation_detail", args=[pk]) + "#livrables")
    return redirect("livrables:detail", pk=livrable.pk)


def _contexte(request, livrable, **extra) -> dict:
    prestation = livrable.prestation
    versions = list(
        Livrable.objects.filter(prestation=prestation, type=livrable.type)
        .order_by("-version")
        .prefetch_related("signatures")
    )
    actuelle = next(v for v in versions if v.pk == livrable.pk)
    peut_rediger = _peut(services.verifier_auteur, request.acteur, actuelle)
    manquantes = services.signatures_manquantes(actuelle, actuelle.signatures.all())
    contexte = {
        "livrable": actuelle,
        "prestation": prestation,
        "ldc": prestation.lettre_de_commande,
        "versions": versions,
        "regles": ", ".join(documents.REGLES.get(actuelle.type, ())),
        "peut_rediger": peut_rediger,
        "signables": signature.roles_signables_par(request.acteur, actuelle),
        "manquantes": [(r, RoleSignataire(r).label, signature.nom_attendu(actuelle, r)) for r in manquantes],
        "signatures": list(actuelle.signatures.all()),
        "beneficiaire_email": prestation.lettre_de_commande.beneficiaire.email,
        "interrompue": prestation.etat == Etat.INTERROMPUE,
        "derniere": versions[0].pk == actuelle.pk,
        "verification": verifier_livrable(actuelle) if actuelle.fichier else None,
        "form": None,
        "form_scan": ScanForm(prefix="scan"),
        "form_correction": CorrectionForm(prefix="correction"),
        "refus": "",
    }
    if actuelle.etat == EtatLivrable.BROUILLON and peut_rediger:
        contexte["form"] = BrouillonForm(livrable=actuelle, prefix="brouillon")
    contexte.update(extra)
    return contexte


def _peut(garde, *args) -> bool:
    try:
        garde(*args)
    except (PermissionDenied, ActionRefusee, ValidationError):
        return False
    return True


@acteur_requis
def detail(request, pk):
    """The document's page: its versions, and what may be done with this one now."""
    livrable = livrable_visible(request, pk)
    if request.method == "POST":
        return _enregistrer(request, livrable)
    if request.htmx and request.GET.get("fragment") == "etat":
        return render(request, "livrables/_etat.html", _contexte(request, livrable))
    return render(request, "livrables/document.html", _contexte(request, livrable))


def _enregistrer(request, livrable):
    """Save the draft; with ``soumettre``, submit it for signature in the same step."""
    form = BrouillonForm(request.POST, livrable=livrable, prefix="brouillon")
    refus = ""
    if form.is_valid():
        try:
            if "soumettre" in request.POST:
                services.soumettre(request.acteur, livrable, form.textes())
                messages.success(request, "Document soumis à signature : recueillez maintenant les signatures.")
            else:
                services.enregistrer(request.acteur, livrable, form.textes())
                messages.success(request, "Brouillon enregistré.")
            return redirect("livrables:detail", pk=livrable.pk)
        except ValidationError as erreur:
            appliquer_erreurs(form, erreur)
        except ActionRefusee as exc:
            refus = exc.message
    contexte = _contexte(request, livrable, refus=refus)
    if contexte["form"] is not None:
        contexte["form"] = form
    return render(request, "livrables/document.html", contexte, status=409 if refus else 400)


def _action(request, pk, executer, succes, *, form_class=None, prefix=None, cle_form=None):
    """A POST action of the document's page: call the service once, translate its errors."""
    livrable = livrable_visible(request, pk)
    form = form_class(request.POST, request.FILES or None, prefix=prefix) if form_class else None
    refus = ""
    if form is None or form.is_valid():
        try:
            resultat = executer(livrable, form.cleaned_data if form else {})
        except ValidationError as erreur:
            if form is None:
                refus = " ".join(erreur.messages)
            else:
                appliquer_erreurs(form, erreur)
        except ActionRefusee as exc:
            refus = exc.message
        else:
            messages.success(request, succes(resultat))
            cible = resultat if isinstance(resultat, Livrable) else livrable
            return redirect("livrables:detail", pk=cible.pk)
    extra = {"refus": refus}
    if cle_form:
        extra[cle_form] = form
    return render(
        request, "livrables/document.html", _contexte(request, livrable, **extra), status=409 if refus else 400
    )


@require_POST
@acteur_requis
def soumettre(request, pk):
    return _action(
        request, pk, lambda lv, d: services.soumettre(request.acteur, lv), lambda lv: "Document soumis à signature."
    )


@require_POST
@acteur_requis
def reprendre(request, pk):
    return _action(
        request,
        pk,
        lambda lv, d: services.reprendre(request.acteur, lv),
        lambda lv: "Le brouillon est de nouveau modifiable.",
    )


@require_POST
@acteur_requis
def corriger(request, pk):
    return _action(
        request,
        pk,
        lambda lv, d: services.corriger(request.acteur, lv, d["motif"]),
        lambda lv: f"Version {lv.version} ouverte : corrigez-la puis faites-la signer de nouveau.",
        form_class=CorrectionForm,
        prefix="correction",
        cle_form="form_correction",
    )


@require_POST
@acteur_requis
def transmettre_livrable(request, pk):
    return _action(
        request,
        pk,
        lambda lv, d: services.transmettre(request.acteur, lv),
        lambda lv: (
            f"{lv.get_type_display()} transmis au prescripteur "
            f"le {timezone.localtime(lv.transmis_le):%d/%m/%Y à %H:%M}."
        ),
    )


@require_POST
@acteur_requis
def transmettre_en_l_etat(request, pk):
    return _action(
        request,
        pk,
        lambda lv, d: services.transmettre_en_l_etat(request.acteur, lv),
        lambda lv: f"{lv.get_type_display()} transmis en l'état au prescripteur (LIV-03).",
    )


@require_POST
@acteur_requis
def envoyer_lien(request, pk):
    return _action(
        request,
        pk,
        lambda lv, d: signature.envoyer_lien(request.acteur, lv.prestation, livrable=lv),
        lambda lien: f"Lien de signature envoyé à {lien.adresse}, avec son code à usage unique.",
    )


@require_POST
@acteur_requis
def deposer_scan(request, pk):
    return _action(
        request,
        pk,
        lambda lv, d: signature.deposer_scan(request.acteur, lv, d["scan"]),
        lambda lv: "Scan signé sur papier enregistré : le document est signé.",
        form_class=ScanForm,
        prefix="scan",
        cle_form="form_scan",
    )


@acteur_requis
def signer(request, pk):
    """The signing page: the bénéficiaire on the référent's screen, or the user themself."""
    livrable = livrable_visible(request, pk)
    role = request.GET.get("role") or request.POST.get("role") or ""
    roles = signature.roles_signables_par(request.acteur, livrable)
    if role not in roles:
        if livrable.etat != EtatLivrable.A_SIGNER:
            return redirect("livrables:detail", pk=livrable.pk)
        raise PermissionDenied("Vous ne pouvez pas recueillir cette signature.")
    form = SignatureForm(request.POST or None, prefix="signature", declaration=signature.consentement(livrable))
    refus = ""
    if request.method == "POST" and form.is_valid():
        try:
            faite = signature.signer(request.acteur, livrable, role=role, **form.donnees(), **client(request))
        except ValidationError as erreur:
            appliquer_erreurs(form, erreur)
        except ActionRefusee as exc:
            refus = exc.message
        else:
            messages.success(request, f"Signature de {faite.signataire_nom} enregistrée.")
            return redirect("livrables:detail", pk=livrable.pk)
    attendu = (
        signature.nom_attendu(livrable, role)
        if role != RoleSignataire.RESPONSABLE
        else (request.acteur.user.get_full_name() or request.acteur.user.email)
    )
    statut = 200 if request.method == "GET" else (409 if refus else 400)
    return render(
        request,
        "livrables/signer.html",
        {
            "livrable": livrable,
            "prestation": livrable.prestation,
            "role": role,
            "role_libelle": RoleSignataire(role).label,
            "attendu": attendu,
            "form": form,
            "refus": refus,
            "sur_place": role == RoleSignataire.BENEFICIAIRE,
        },
        status=statut,
    )
