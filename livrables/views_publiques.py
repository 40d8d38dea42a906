"""Pages reached without an account or from a document:

- the remote signing page of the e-mail link (the bénéficiaire has no account:
  ``login_not_required``), and the document it signs;
- the bénéficiaire's copy of the bilan final (LIV-02), by a signed link;
- verification: anyone holding a file uploads it (``login_not_required``); the QR code
  of a document leads a logged-in user of a concerned organisation to its record (a
  document outside their scope is a 404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from commun.exceptions import ActionRefusee
from comptes.decorators import acteur_requis
from livrables import services, signature, transmission
from livrables.emargement import CONSENTEMENT_EMARGEMENT
from livrables.forms import SignatureDistanceForm, VerificationForm
from livrables.models import Livrable
from livrables.verification import verifier_fichier, verifier_livrable
from livrables.views import client
from prestations.suivi.views import appliquer_erreurs


def _refus(request, exc, statut=410):
    return render(request, "livrables/lien_refuse.html", {"message": exc.message, "raison": exc.raison}, status=statut)


@login_not_required
@never_cache
def signature_distance(request, jeton):
    """The e-mail link: the code, the typed name and the consent sign (once)."""
    try:
        lien = signature.lien_utilisable(jeton)
    except signature.LienRefuse as exc:
        return _refus(request, exc, 404 if exc.raison == "inconnu" else 410)
    declaration = signature.consentement(lien.livrable) if lien.livrable_id else CONSENTEMENT_EMARGEMENT
    form = SignatureDistanceForm(request.POST or None, prefix="signature", declaration=declaration)
    if request.method == "POST" and form.is_valid():
        try:
            signature.utiliser_lien(jeton, **form.donnees(), **client(request))
        except ValidationError as erreur:
            appliquer_erreurs(form, erreur)
        except signature.LienRefuse as exc:
            return _refus(request, exc)
        except ActionRefusee as exc:  # the attendance was proven meanwhile, by another way
            return render(request, "livrables/lien_refuse.html", {"message": exc.message, "raison": "clos"}, status=409)
        else:
            return render(request, "livrables/signature_faite.html", {"lien": lien, "le": timezone.now()})
    organisation = lien.prestation.lettre_de_commande.marche.prestataire
    return render(
        request,
        "livrables/signature_distance.html",
        {"lien": lien, "jeton": jeton, "form": form, "organisation": organisation},
        status=200 if request.method == "GET" else 400,
    )


@login_not_required
@never_cache
def document_distance(request, jeton):
    """The document the link signs, to read before signing."""
    try:
        lien = signature.lien_utilisable(jeton)
    except signature.LienRefuse as exc:
        return _refus(request, exc, 404 if exc.raison == "inconnu" else 410)
    if not lien.livrable_id:
        raise Http404("Ce lien ne signe pas de document.")
    return FileResponse(
        lien.livrable.fichier_a_signer.open("rb"), content_type="application/pdf", filename="document-a-signer.pdf"
    )


@login_not_required
@never_cache
def copie(request, jeton):
    """LIV-02: the bénéficiaire's copy of the bilan final."""
    livrable = transmission.livrable_de_la_copie(jeton)
    if livrable is None or not livrable.fichier:
        return render(
            request,
            "livrables/lien_refuse.html",
            {
                "message": "Ce lien de téléchargement n'est pas valable ou a expiré : "
                "demandez votre copie à votre référent.",
                "raison": "copie",
            },
            status=404,
        )
    return FileResponse(
        livrable.fichier.open("rb"), as_attachment=True, filename="bilan-final.pdf", content_type="application/pdf"
    )


@login_not_required
def verification(request):
    """Anyone holding a file checks whether the platform sealed it, unaltered."""
    form = VerificationForm(request.POST or None, request.FILES or None)
    resultat = None
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        if fichier.size > services.TAILLE_MAX:
            form.add_error("fichier", "Le fichier dépasse 10 Mo.")
        else:
            resultat = verifier_fichier(fichier.read())
    return render(
        request,
        "livrables/verification.html",
        {
            "form": form,
            "resultat": resultat,
            "livrable": resultat.livrable if resultat else None,
            "signatures": list(resultat.livrable.signatures.all()) if resultat and resultat.livrable else [],
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@acteur_requis
def verification_reference(request, reference):
    """The QR code of a document: its record, for a user of a concerned organisation."""
    livrable = get_object_or_404(
        Livrable.objects.visible_par(request.acteur).select_related("prestation__lettre_de_commande"),
        reference=reference,
    )
    resultat = verifier_livrable(livrable)
    return render(
        request,
        "livrables/verification.html",
        {
            "form": VerificationForm(),
            "resultat": resultat,
            "livrable": livrable,
            "signatures": list(livrable.signatures.all()),
            "par_reference": True,
        },
    )
