"""Group sessions (EMA-01, BAM-03): the ateliers of a structure and the attendance of
each participant, logged as a collective entretien on their case."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commun.exceptions import ActionRefusee
from comptes.decorators import acteur_requis
from prestations.models import Entretien, Etat, Prestation, SessionCollective
from prestations.suivi import entretiens
from prestations.suivi.forms_listes import ParticipantForm, SessionForm
from prestations.suivi.gardes import ROLES_PRESTATAIRE
from prestations.suivi.views import PAR_PAGE, appliquer_erreurs


def _sessions(acteur):
    return (
        SessionCollective.objects.filter(organisation=acteur.organisation)
        .select_related("animateur")
        .order_by("-debut", "-pk")
    )


def _prestations_participantes(acteur):
    """Cases in progress of the structure this acteur may act on (its own for a référent,
    ``comptes.acces``).

    A case in suivi dans l'emploi is left out: its entretiens record whether the person is
    still in the job (MOV-13), which a group session does not say."""
    qs = (
        Prestation.objects.visible_par(acteur)
        .filter(etat=Etat.EN_COURS)
        .select_related("lettre_de_commande__beneficiaire")
        .order_by("lettre_de_commande__beneficiaire__nom_normalise", "pk")
    )
    return qs


@acteur_requis(roles=ROLES_PRESTATAIRE)
def sessions(request):
    liste_sessions = _sessions(request.acteur).annotate(nb_participants=Count("participations"))
    page = Paginator(liste_sessions, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "prestations/suivi/sessions.html", {"page": page, "form": SessionForm(prefix="session")})


@require_POST
@acteur_requis(roles=ROLES_PRESTATAIRE)
def session_creer(request):
    form = SessionForm(request.POST, prefix="session")
    if form.is_valid():
        try:
            session = entretiens.creer_session(request.acteur, **form.cleaned_data)
        except ValidationError as erreur:
            appliquer_erreurs(form, erreur)
        else:
            messages.success(request, f"Session « {session.titre} » créée : ajoutez les participants.")
            return redirect("prestations:session_detail", pk=session.pk)
    liste_sessions = _sessions(request.acteur).annotate(nb_participants=Count("participations"))
    page = Paginator(liste_sessions, PAR_PAGE).get_page(1)
    status = 200 if request.htmx else 400
    return render(request, "prestations/suivi/sessions.html", {"page": page, "form": form}, status=status)


def _contexte_session(request, session, *, form=None, refus="", succes=""):
    participations = list(
        Entretien.objects.filter(session=session)
        .select_related("prestation__lettre_de_commande__beneficiaire")
        .order_by("prestation__lettre_de_commande__beneficiaire__nom_normalise", "pk")
    )
    return {
        "session": session,
        "participations": participations,
        "form": form or ParticipantForm(prefix="participant", prestations=_prestations_participantes(request.acteur)),
        "refus": refus,
        "succes": succes,
    }


@acteur_requis(roles=ROLES_PRESTATAIRE)
def session_detail(request, pk):
    session = get_object_or_404(_sessions(request.acteur), pk=pk)
    return render(request, "prestations/suivi/session_detail.html", _contexte_session(request, session))


@require_POST
@acteur_requis(roles=ROLES_PRESTATAIRE)
def session_participant(request, pk):
    """Add a participant with their attendance (EMA-01); BAM-03 refuses one too many."""
    session = get_object_or_404(_sessions(request.acteur), pk=pk)
    form = ParticipantForm(request.POST, prefix="participant", prestations=_prestations_participantes(request.acteur))
    refus = ""
    if form.is_valid():
        prestation = form.cleaned_data["prestation"]
        try:
            entretiens.ajouter_participant(request.acteur, session, prestation, presence=form.cleaned_data["presence"])
        except ValidationError as erreur:
            appliquer_erreurs(form, erreur)
        except ActionRefusee as exc:
            refus = exc.message
        else:
            b = prestation.lettre_de_commande.beneficiaire
            message = f"{b.prenom} {b.nom} ajouté(e) à la session."
            if request.htmx:
                return render(
                    request, "prestations/suivi/_session.html", _contexte_session(request, session, succes=message)
                )
            messages.success(request, message)
            return redirect("prestations:session_detail", pk=session.pk)
    contexte = _contexte_session(request, session, form=form, refus=refus)
    if request.htmx:
        return render(request, "prestations/suivi/_session.html", contexte)
    return render(request, "prestations/suivi/session_detail.html", contexte, status=409 if refus else 400)
