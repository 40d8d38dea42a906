"""HTML pages of the follow-up (issue 4): « Mes prestations », the case page and its actions.

Every form posts to its own URL and calls ONE action of ``prestations.suivi`` (DESIGN
principle 1), through the table ``dossier.FORMULAIRES``; the view only translates its
errors:

* ``ValidationError`` → field errors on the form (400 without JS; with HTMX the form
  alone comes back with status 200, retargeted onto its own container, so htmx swaps it);
* ``ActionRefusee`` → the rule's message in a ``role="alert"`` box, nothing changed
  (409 without JS);
* ``PermissionDenied`` → 403; an out-of-scope case → 404 (principle 5).

On success an HTMX request gets the case fragment (``#dossier``) back; a plain POST is
redirected to the case page with a flash message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from commun.exceptions import ActionRefusee
from comptes.decorators import acteur_requis
from comptes.models import Role
from prestations import faits
from prestations.models import Prestation
from prestations.suivi import parcours, suspensions
from prestations.suivi.dossier import FORMULAIRES, contexte_dossier, dossiers_visibles
from prestations.suivi.forms import FinSuspensionForm, StatutActionForm
from prestations.suivi.forms_listes import FiltrePrestationsForm
from prestations.suivi.gardes import ROLES_PRESTATAIRE

PAR_PAGE = 25
GABARIT_DOSSIER = "prestations/suivi/_dossier.html"
GABARIT_FORMULAIRE = "prestations/suivi/_formulaire.html"

#: Field names of the rules' errors that differ from the form's (``prestations.sorties``).
ALIAS_CHAMPS = {"type_sortie": "type"}


def _prestation_visible(request, pk) -> Prestation:
    return get_object_or_404(dossiers_visibles(request.acteur), pk=pk)


@acteur_requis
def prestation_detail(request, pk):
    prestation = _prestation_visible(request, pk)
    contexte = contexte_dossier(request.acteur, prestation)
    if request.htmx and request.GET.get("fragment") == "dossier":
        return render(request, GABARIT_DOSSIER, contexte)
    return render(request, "prestations/prestation_detail.html", contexte)


def appliquer_erreurs(form, erreur: ValidationError) -> None:
    if hasattr(erreur, "error_dict"):
        for champ, messages_ in erreur.message_dict.items():
            champ = ALIAS_CHAMPS.get(champ, champ)
            form.add_error(champ if champ in form.fields else None, messages_)
    else:
        form.add_error(None, erreur.messages)


def traiter(request, prestation, *, cle: str, form, executer: Callable[[dict], object], succes: Callable):
    """Validate ``form``, call the action once, translate its errors (principle 1)."""
    refus = ""
    if form.is_valid():
        try:
            resultat = executer(form.donnees())
        except ValidationError as erreur:
            appliquer_erreurs(form, erreur)
        except ActionRefusee as exc:
            refus = exc.message
        else:
            message = succes(resultat)
            if request.htmx:
                frais = _prestation_visible(request, prestation.pk)
                return render(request, GABARIT_DOSSIER, contexte_dossier(request.acteur, frais, succes=message))
            messages.success(request, message)
            return redirect("prestations:prestation_detail", pk=prestation.pk)
    contexte = contexte_dossier(request.acteur, prestation, lies={cle: form}, refus={cle: refus} if refus else {})
    # The form with its errors, or the action's card saying why it is refused now.
    formulaire = contexte["page"].trouver(cle)
    if formulaire is None:  # the action is no longer offered (the case changed): say why at the top
        contexte["refus_global"] = refus or " ".join(m for ms in form.errors.values() for m in ms)
    if request.htmx:
        if formulaire is not None:
            response = render(request, GABARIT_FORMULAIRE, {"f": formulaire})
            return reswap(retarget(response, f"#{formulaire.conteneur}"), "outerHTML")
        return render(request, GABARIT_DOSSIER, contexte)
    return render(request, "prestations/prestation_detail.html", contexte, status=409 if refus else 400)


def _form(form_class, request, prestation, cle, **kwargs):
    return form_class(request.POST, request.FILES or None, prestation=prestation, prefix=cle, **kwargs)


@require_POST
@acteur_requis
def agir(request, pk, cle):
    """One action of the case page (``dossier.FORMULAIRES[cle]``); who may act and when is
    the action's own guard (a role that may not: 403)."""
    prestation = _prestation_visible(request, pk)
    gabarit = FORMULAIRES[cle]
    kwargs = {}
    if cle == "entretien":
        kwargs["phases"] = [p for p in faits.progression_phases(prestation) if p.atteinte]
    return traiter(
        request,
        prestation,
        cle=cle,
        form=_form(gabarit.form_class, request, prestation, cle, **kwargs),
        executer=lambda donnees: gabarit.executer(request.acteur, prestation, donnees),
        succes=gabarit.succes,
    )


@require_POST
@acteur_requis
def prestation_fin_suspension(request, pk, suspension_pk):
    prestation = _prestation_visible(request, pk)
    suspension = get_object_or_404(prestation.suspensions.all(), pk=suspension_pk)
    cle = f"fin_suspension_{suspension.pk}"
    return traiter(
        request,
        prestation,
        cle=cle,
        form=_form(FinSuspensionForm, request, prestation, cle),
        executer=lambda d: suspensions.mettre_fin_suspension(request.acteur, suspension, d["fin"]),
        succes=lambda s: f"La suspension se termine le {s.fin:%d/%m/%Y} : la prestation reprend.",
    )


@require_POST
@acteur_requis
def prestation_action_statut(request, pk, action_pk):
    prestation = _prestation_visible(request, pk)
    action = get_object_or_404(prestation.actions.all(), pk=action_pk)
    cle = f"statut_action_{action.pk}"
    return traiter(
        request,
        prestation,
        cle=cle,
        form=_form(StatutActionForm, request, prestation, cle),
        executer=lambda d: parcours.modifier_action(request.acteur, action, **d),
        succes=lambda a: f"Action « {a.libelle} » : {a.get_statut_display().lower()}.",
    )


# --- "Mes prestations" ------------------------------------------------------------------


def _titre_liste(acteur) -> str:
    return {
        Role.REFERENT: "Mes prestations",
        Role.RESPONSABLE: "Prestations de la structure",
    }.get(acteur.role, "Prestations")


@acteur_requis
def liste(request):
    """The référent's cases; the whole structure for a responsable; the cases of its LdC
    (read-only) for a prescripteur. Constant queries: the stored next deadline is shown,
    the facts are never computed per row (principle 9)."""
    acteur = request.acteur
    le = timezone.localdate()
    filtre = FiltrePrestationsForm(request.GET or None)
    base = Prestation.objects.visible_par(acteur).pour_liste()
    page = Paginator(filtre.filtrer(base, le), PAR_PAGE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    contexte = {
        "filtre": filtre,
        "page": page,
        "querystring": querystring.urlencode(),
        "le": le,
        "dans_7_jours": le + datetime.timedelta(days=7),
        "titre": _titre_liste(acteur),
        "voir_prestataire": acteur.role not in ROLES_PRESTATAIRE,
    }
    if request.htmx and request.htmx.target == "resultats":
        return render(request, "prestations/suivi/_liste_resultats.html", contexte)
    return render(request, "prestations/mes_prestations.html", contexte)
