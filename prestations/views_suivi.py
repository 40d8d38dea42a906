"""HTML pages of the workflow run by the référent (issue 4).

Every form posts to its own URL and calls ONE function of ``prestations.workflow``
(DESIGN principle 1); the views only translate its errors:

* ``ValidationError`` → field errors on the form (400 without JS; with HTMX the form
  alone comes back with status 200, retargeted onto its own container, so htmx swaps it);
* ``ActionRefusee`` → the rule's message in a ``role="alert"`` box, nothing changed
  (409 without JS);
* ``PermissionDenied`` → 403; an out-of-scope case or session → 404 (principle 5).

On success an HTMX request gets the case fragment (``#dossier``) back; a plain POST is
redirected to the case page with a flash message.

The case page and the list run a constant number of queries (principle 9): the case is
loaded once with its prefetches, the facts are computed in memory (``prestations.faits``)
and phase labels come from the rule set, never from a query.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from commun.exceptions import ActionRefusee
from comptes.decorators import acteur_requis
from comptes.models import Role
from prestations import faits, workflow
from prestations.forms_suivi import (
    ActionParcoursForm,
    ClotureSuiviForm,
    ContractualisationForm,
    EntretienForm,
    FiltrePrestationsForm,
    FinAnticipeeForm,
    FinSuspensionForm,
    InterruptionForm,
    LivrableForm,
    ParticipantForm,
    PeriodeEntrepriseForm,
    PhaseForm,
    RenouvellementForm,
    SessionForm,
    SortieForm,
    StatutActionForm,
    SuspensionForm,
)
from prestations.horloges import horloges
from prestations.models import Entretien, Etat, Prestation, SessionCollective

ROLES_PRESTATAIRE = (Role.REFERENT, Role.RESPONSABLE)
PAR_PAGE = 25
GABARIT_DOSSIER = "prestations/suivi/_dossier.html"
GABARIT_FORMULAIRE = "prestations/suivi/_formulaire.html"


# --- Loading (scope first, principle 5; constant queries, principle 9) -----------------


def _dossiers(acteur):
    return (
        faits.charger(Prestation.objects.visible_par(acteur).pour_liste())
        .select_related(
            "lettre_de_commande__marche__financeur",
            "lettre_de_commande__prescripteur",
            "lettre_de_commande__organisation_prescriptrice",
            "sortie",
        )
        .prefetch_related("actions", "renouvellements")
    )


def _prestation_visible(request, pk) -> Prestation:
    return get_object_or_404(_dossiers(request.acteur), pk=pk)


def _peut_agir(acteur, prestation) -> bool:
    """The case's référent or a responsable of its prestataire (workflow's own guard)."""
    try:
        workflow.verifier_acteur_prestataire(acteur, prestation)
    except PermissionDenied:
        return False
    return True


def _est_prescripteur(acteur, prestation) -> bool:
    ldc = prestation.lettre_de_commande
    return acteur.role == Role.PRESCRIPTEUR and acteur.organisation.pk == ldc.organisation_prescriptrice_id


# --- The forms of the case page ----------------------------------------------------------


@dataclass
class Formulaire:
    """One form of the case page: where it posts, what it says, its current state."""

    cle: str
    titre: str
    bouton: str
    url: str
    form: object
    aide: str = ""
    refus: str = ""
    ouvert: bool = False
    compact: bool = False
    style_bouton: str = "btn-primary"
    confirmation: str = ""
    multipart: bool = False

    @property
    def conteneur(self) -> str:
        return f"action-{self.cle}"

    @property
    def a_des_erreurs(self) -> bool:
        return bool(self.refus) or (self.form.is_bound and bool(self.form.errors))


def _url(nom, prestation, *args):
    return reverse(f"prestations:{nom}", args=[prestation.pk, *args])


def _phases_atteintes(fd):
    return [p for p in fd.phases if p.atteinte]


def _formulaires(acteur, prestation, fd, le, lies=None, refus=None) -> list[Formulaire]:
    """The actions allowed NOW for this acteur on this case, each with its form.

    ``lies``: bound forms (with errors) by key, to show instead of a fresh one;
    ``refus``: the message of a refused action, by key."""
    lies = lies or {}
    refus = refus or {}
    regle = prestation.regle
    etat = prestation.etat
    liste: list[Formulaire] = []

    def ajouter(cle, titre, bouton, url, form_class, *, aide="", ouvert=False, **options):
        form_kwargs = options.pop("form_kwargs", {})
        form = lies.get(cle) or form_class(prestation=prestation, prefix=cle, **form_kwargs)
        liste.append(
            Formulaire(
                cle=cle,
                titre=titre,
                bouton=bouton,
                url=url,
                form=form,
                aide=aide,
                refus=refus.get(cle, ""),
                ouvert=ouvert or cle in lies or cle in refus,
                **options,
            )
        )

    if _peut_agir(acteur, prestation):
        if etat == Etat.A_CONTRACTUALISER:
            delai = regle.delai_contractualisation
            aide = (
                f"À faire au plus tard le {delai.date_limite(prestation.date_debut):%d/%m/%Y} ({delai.regle})."
                if delai
                else ""
            )
            ajouter(
                "contractualisation",
                "Enregistrer la contractualisation",
                "Enregistrer la contractualisation",
                _url("prestation_contractualiser", prestation),
                ContractualisationForm,
                aide=aide,
                ouvert=True,
            )
        if etat in (Etat.EN_COURS, Etat.SUIVI_EMPLOI):
            ajouter(
                "entretien",
                "Enregistrer un entretien",
                "Enregistrer l'entretien",
                _url("prestation_entretien", prestation),
                EntretienForm,
                aide="Un entretien se saisit une fois qu'il a eu lieu, le jour même ou plus tard.",
                ouvert=True,
                form_kwargs={"phases": _phases_atteintes(fd)},
            )
        if etat == Etat.EN_COURS:
            if regle.phases_ordonnees:
                suivante = regle.phase_suivante(prestation.phase) if prestation.phase else None
                if suivante is not None and suivante.obligatoire:
                    courante = next((p for p in fd.phases if p.courante), None)
                    aide = (
                        f"Phase en cours : {courante.entretiens} entretien(s) individuel(s) tenu(s) "
                        f"sur {courante.minimum} au moins."
                        if courante
                        else ""
                    )
                    ajouter(
                        "phase",
                        "Passer à la phase suivante",
                        f"Passer à « {suivante.libelle} »",
                        _url("prestation_phase", prestation),
                        PhaseForm,
                        aide=aide,
                    )
            else:
                ajouter(
                    "phase",
                    "Changer de phase",
                    "Ouvrir cette phase",
                    _url("prestation_phase", prestation),
                    PhaseForm,
                    aide="Les niveaux ne se suivent pas nécessairement (CEP-01).",
                )
            phase = prestation.phase_regle
            if phase is not None and phase.fin_anticipee_possible:
                ajouter(
                    "fin_anticipee",
                    f"Terminer après « {phase.libelle} »",
                    "Terminer la prestation",
                    _url("prestation_fin_anticipee", prestation),
                    FinAnticipeeForm,
                    aide=f"Fin possible juste après cette phase ({', '.join(phase.regles)}).",
                    style_bouton="btn-outline-danger",
                )
            if regle.suspension is not None:
                ajouter(
                    "suspension",
                    "Déclarer une suspension",
                    "Déclarer la suspension",
                    _url("prestation_suspension", prestation),
                    SuspensionForm,
                    aide="La date de fin de la prestation ne change pas (MOV-07).",
                )
            if regle.periode_entreprise is not None:
                ajouter(
                    "periode",
                    "Enregistrer une période en entreprise",
                    "Enregistrer la période",
                    _url("prestation_periode", prestation),
                    PeriodeEntrepriseForm,
                    aide=(
                        f"De {regle.periode_entreprise.duree_min_jours} à {regle.periode_entreprise.duree_max_jours} "
                        f"jours ({regle.periode_entreprise.regle})."
                    ),
                )
            ajouter(
                "sortie",
                "Enregistrer la sortie",
                "Enregistrer la sortie",
                _url("prestation_sortie", prestation),
                SortieForm,
                aide="Le classement positif ou non suit SOR-01 à SOR-04.",
            )
        if etat in (Etat.A_CONTRACTUALISER, Etat.EN_COURS):
            ajouter(
                "interruption",
                "Interrompre la prestation",
                "Interrompre la prestation",
                _url("prestation_interruption", prestation),
                InterruptionForm,
                aide="Le prescripteur est informé (LIV-03).",
                style_bouton="btn-outline-danger",
            )
        if etat != Etat.ATTENTE_REFERENT:
            ajouter(
                "livrable",
                "Transmettre un livrable",
                "Transmettre au prescripteur",
                _url("prestation_livrable", prestation),
                LivrableForm,
                aide="Document PDF (10 Mo au plus) ; le prescripteur est notifié à l'instant (LIV-05). "
                "Une correction se transmet comme une nouvelle version.",
                multipart=True,
            )
        if etat == Etat.SUIVI_EMPLOI:
            fin_suivi = regle.suivi_emploi.date_fin(prestation.date_reprise) if regle.suivi_emploi else None
            ajouter(
                "cloture",
                "Clore le suivi dans l'emploi",
                "Clore le suivi dans l'emploi",
                _url("prestation_cloture", prestation),
                ClotureSuiviForm,
                aide=(f"Le suivi court jusqu'au {fin_suivi:%d/%m/%Y} (MOV-13)." if fin_suivi else ""),
                style_bouton="btn-outline-secondary",
            )
    if _est_prescripteur(acteur, prestation) and etat == Etat.EN_COURS and regle.renouvellement is not None:
        renouvellement = regle.renouvellement
        if prestation.nombre_renouvellements < renouvellement.nombre_max and prestation.date_fin:
            a_partir = prestation.date_fin - datetime.timedelta(days=workflow.JOURS_AVANT_TERME_POUR_RENOUVELER - 1)
            if a_partir <= le <= prestation.date_fin:
                ajouter(
                    "renouvellement",
                    f"Renouveler pour {renouvellement.duree_mois} mois",
                    f"Renouveler pour {renouvellement.duree_mois} mois",
                    _url("prestation_renouvellement", prestation),
                    RenouvellementForm,
                    aide=f"Une seule fois ({renouvellement.regle}) : la fin passe au "
                    f"{renouvellement.nouvelle_date_fin(prestation.date_fin):%d/%m/%Y}.",
                )
    return liste


def _sous_formulaires(acteur, prestation, le, lies=None, refus=None):
    """Forms attached to an item: end of a suspension, status of an action of the parcours."""
    lies = lies or {}
    refus = refus or {}
    peut = _peut_agir(acteur, prestation) and prestation.est_ouverte
    for suspension in prestation.suspensions.all():
        suspension.formulaire_fin = None
        cle = f"fin_suspension_{suspension.pk}"
        # Shorten an ongoing (or future) suspension: its new last day lies before its declared one.
        proposition = max(le - datetime.timedelta(days=1), suspension.debut)
        if peut and prestation.etat == Etat.EN_COURS and suspension.fin > proposition:
            suspension.formulaire_fin = Formulaire(
                cle=cle,
                titre="Mettre fin à la suspension",
                bouton="Mettre fin à la suspension",
                url=_url("prestation_fin_suspension", prestation, suspension.pk),
                form=lies.get(cle)
                or FinSuspensionForm(prestation=prestation, prefix=cle, initial={"fin": proposition}),
                refus=refus.get(cle, ""),
                compact=True,
                style_bouton="btn-outline-primary btn-sm",
            )
    ajout = None
    if peut and prestation.etat != Etat.ATTENTE_REFERENT:
        ajout = Formulaire(
            cle="action",
            titre="Ajouter une action",
            bouton="Ajouter l'action",
            url=_url("prestation_action", prestation),
            form=lies.get("action") or ActionParcoursForm(prestation=prestation, prefix="action"),
            refus=refus.get("action", ""),
            ouvert="action" in lies or "action" in refus,
        )
        for action in prestation.actions.all():
            cle = f"statut_action_{action.pk}"
            action.formulaire_statut = Formulaire(
                cle=cle,
                titre="Statut",
                bouton="Mettre à jour",
                url=_url("prestation_action_statut", prestation, action.pk),
                form=lies.get(cle)
                or StatutActionForm(prestation=prestation, prefix=cle, initial={"statut": action.statut}),
                refus=refus.get(cle, ""),
                compact=True,
                style_bouton="btn-outline-primary btn-sm",
            )
    return ajout


def _titre_parcours(regle) -> str:
    livrables = {lv for p in regle.phases for lv in (*p.livrables, *p.livrables_optionnels)}
    if "carnet_de_suivi" in livrables:
        return "Carnet de suivi (BAM-03)"
    if "document_synthese" in livrables:
        return "Plan d'action (CEP-02)"
    return "Actions du parcours"


def _usage_suspensions(prestation, fd):
    regle = prestation.regle.suspension
    if regle is None:
        return []
    usage = []
    for limite in regle.limites:
        pris = faits.jours_suspension_pris(prestation, limite.motif)
        plus_longue = max((s.jours for s in prestation.suspensions.all() if s.motif == limite.motif), default=0)
        usage.append(
            {
                "libelle": limite.libelle,
                "pris": pris,
                "max": limite.max_jours,
                "cumulee": limite.cumulee,
                "plus_longue": plus_longue,
                "reste": max(limite.max_jours - pris, 0) if limite.cumulee else None,
            }
        )
    return usage


def _contexte_dossier(request, prestation, *, lies=None, refus=None, succes=""):
    le = timezone.localdate()
    fd = faits.faits_dossier(prestation, le)
    regle = prestation.regle
    acteur = request.acteur
    formulaires = _formulaires(acteur, prestation, fd, le, lies, refus)
    ajout_action = _sous_formulaires(acteur, prestation, le, lies, refus)
    ecart = regle.ecart_entretiens
    alerte_ecart = None
    if ecart is not None and fd.ecart_net is not None:
        seuil = min(ecart.alertes_jours) if ecart.alertes_jours else ecart.max_jours
        if fd.ecart_net > ecart.max_jours:
            alerte_ecart = "danger"
        elif fd.ecart_net >= seuil:
            alerte_ecart = "warning"
    entretiens = sorted(prestation.entretiens.all(), key=lambda e: e.debut, reverse=True)
    info_renouvellement = ""
    renouvellement = regle.renouvellement
    if (
        _est_prescripteur(acteur, prestation)
        and prestation.etat == Etat.EN_COURS
        and renouvellement is not None
        and prestation.date_fin
        and prestation.nombre_renouvellements < renouvellement.nombre_max
    ):
        a_partir = prestation.date_fin - datetime.timedelta(days=workflow.JOURS_AVANT_TERME_POUR_RENOUVELER - 1)
        if le < a_partir:
            info_renouvellement = (
                f"Le renouvellement ({renouvellement.regle}) pourra être décidé à partir du {a_partir:%d/%m/%Y}, "
                f"au terme de la prestation."
            )
    ldc = prestation.lettre_de_commande
    return {
        "prestation": prestation,
        "ldc": ldc,
        "beneficiaire": ldc.beneficiaire,
        "regle": regle,
        "faits": fd,
        "le": le,
        "sortie": getattr(prestation, "sortie", None),
        "entretiens": entretiens,
        "suspensions": list(prestation.suspensions.all()),
        "periodes": list(prestation.periodes_entreprise.all()),
        "actions_parcours": list(prestation.actions.all()),
        "renouvellements": list(prestation.renouvellements.all()),
        "usage_suspensions": _usage_suspensions(prestation, fd),
        "alerte_ecart": alerte_ecart,
        "ecart_regle": ecart,
        "cadence": regle.cadence_entretiens,
        "periode_regle": regle.periode_entreprise,
        "formulaires": formulaires,
        "ajout_action": ajout_action,
        "titre_parcours": _titre_parcours(regle),
        "peut_agir": _peut_agir(acteur, prestation),
        "evenements": list(ldc.evenements.select_related("auteur", "organisation")[:200]),
        "succes": succes,
        "info_renouvellement": info_renouvellement,
        "horloges": horloges(prestation),
        "livrables": list(prestation.livrables.all()),
    }


@acteur_requis
def prestation_detail(request, pk):
    prestation = _prestation_visible(request, pk)
    contexte = _contexte_dossier(request, prestation)
    if request.htmx and request.GET.get("fragment") == "dossier":
        return render(request, GABARIT_DOSSIER, contexte)
    return render(request, "prestations/prestation_detail.html", contexte)


# --- The generic action handler --------------------------------------------------------


#: Field names of the rules' errors that differ from the form's (``prestations.sorties``).
ALIAS_CHAMPS = {"type_sortie": "type"}


def _appliquer_erreurs(form, erreur: ValidationError):
    if hasattr(erreur, "error_dict"):
        for champ, messages_ in erreur.message_dict.items():
            champ = ALIAS_CHAMPS.get(champ, champ)
            form.add_error(champ if champ in form.fields else None, messages_)
    else:
        form.add_error(None, erreur.messages)


def _traiter(
    request,
    prestation,
    *,
    cle: str,
    form: object,
    executer: Callable[[dict], object],
    succes: Callable[[object], str],
):
    """Validate ``form``, call the workflow once, translate its errors (principle 1)."""
    refus = ""
    if form.is_valid():
        try:
            resultat = executer(form.donnees())
        except ValidationError as erreur:
            _appliquer_erreurs(form, erreur)
        except ActionRefusee as exc:
            refus = exc.message
        else:
            message = succes(resultat)
            if request.htmx:
                frais = _prestation_visible(request, prestation.pk)
                return render(request, GABARIT_DOSSIER, _contexte_dossier(request, frais, succes=message))
            messages.success(request, message)
            return redirect("prestations:prestation_detail", pk=prestation.pk)
    refus_par_cle = {cle: refus} if refus else {}
    contexte = _contexte_dossier(request, prestation, lies={cle: form}, refus=refus_par_cle)
    formulaire = _trouver_formulaire(contexte, cle)
    if formulaire is None:  # the action is no longer offered (the case changed): say why at the top
        contexte["refus_global"] = refus or " ".join(m for ms in form.errors.values() for m in ms)
    if request.htmx:
        if formulaire is not None:
            response = render(request, GABARIT_FORMULAIRE, {"f": formulaire})
            return reswap(retarget(response, f"#{formulaire.conteneur}"), "outerHTML")
        return render(request, GABARIT_DOSSIER, contexte)
    return render(request, "prestations/prestation_detail.html", contexte, status=409 if refus else 400)


def _trouver_formulaire(contexte, cle):
    for f in contexte["formulaires"]:
        if f.cle == cle:
            return f
    if contexte["ajout_action"] is not None and contexte["ajout_action"].cle == cle:
        return contexte["ajout_action"]
    for s in contexte["suspensions"]:
        f = getattr(s, "formulaire_fin", None)
        if f is not None and f.cle == cle:
            return f
    for a in contexte["actions_parcours"]:
        f = getattr(a, "formulaire_statut", None)
        if f is not None and f.cle == cle:
            return f
    return None


def _preparer(request, pk, *, prescripteur=False):
    """Load the case in scope (404 otherwise) and check who acts (403 otherwise)."""
    prestation = _prestation_visible(request, pk)
    if prescripteur:
        if not _est_prescripteur(request.acteur, prestation):
            raise PermissionDenied("Seul le prescripteur décide du renouvellement (MOV-08).")
    else:
        workflow.verifier_acteur_prestataire(request.acteur, prestation)
    return prestation


def _form(form_class, request, prestation, cle, **kwargs):
    return form_class(request.POST, request.FILES or None, prestation=prestation, prefix=cle, **kwargs)


@require_POST
@acteur_requis
def prestation_livrable(request, pk):
    """LIV-01..05: transmit a deliverable (PDF) to the prescripteur."""
    from livrables.services import transmettre_livrable

    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="livrable",
        form=_form(LivrableForm, request, prestation, "livrable"),
        executer=lambda d: transmettre_livrable(acteur, prestation, **d),
        succes=lambda liv: f"{liv.get_type_display()} (version {liv.version}) transmis au prescripteur.",
    )


@require_POST
@acteur_requis
def prestation_contractualiser(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur

    def succes(p):
        if p.etat == Etat.REFUSEE:
            return "Refus de signature enregistré : la prestation est refusée et le prescripteur informé (MOV-06)."
        return "Contractualisation enregistrée : le contrat d'accompagnement est signé (MOV-05)."

    return _traiter(
        request,
        prestation,
        cle="contractualisation",
        form=_form(ContractualisationForm, request, prestation, "contractualisation"),
        executer=lambda d: workflow.contractualiser(acteur, prestation, **d),
        succes=succes,
    )


@require_POST
@acteur_requis
def prestation_entretien(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    fd = faits.faits_dossier(prestation, timezone.localdate())
    return _traiter(
        request,
        prestation,
        cle="entretien",
        form=_form(EntretienForm, request, prestation, "entretien", phases=_phases_atteintes(fd)),
        executer=lambda d: workflow.enregistrer_entretien(acteur, prestation, **d),
        succes=lambda e: f"Entretien du {timezone.localtime(e.debut):%d/%m/%Y à %H:%M} enregistré.",
    )


@require_POST
@acteur_requis
def prestation_phase(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="phase",
        form=_form(PhaseForm, request, prestation, "phase"),
        executer=lambda d: workflow.passer_phase(acteur, prestation, d["cible"]),
        succes=lambda p: f"La prestation est passée en « {p.phase_regle.libelle} ».",
    )


@require_POST
@acteur_requis
def prestation_fin_anticipee(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="fin_anticipee",
        form=_form(FinAnticipeeForm, request, prestation, "fin_anticipee"),
        executer=lambda d: workflow.terminer_apres_phase(acteur, prestation, d["motif"]),
        succes=lambda p: "La prestation est terminée ; le prescripteur est informé.",
    )


@require_POST
@acteur_requis
def prestation_suspension(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="suspension",
        form=_form(SuspensionForm, request, prestation, "suspension"),
        executer=lambda d: workflow.declarer_suspension(acteur, prestation, **d),
        succes=lambda s: (
            f"Suspension enregistrée du {s.debut:%d/%m/%Y} au {s.fin:%d/%m/%Y} ({s.jours} jour(s)) ; "
            "la date de fin ne change pas."
        ),
    )


@require_POST
@acteur_requis
def prestation_fin_suspension(request, pk, suspension_pk):
    prestation = _preparer(request, pk)
    suspension = get_object_or_404(prestation.suspensions.all(), pk=suspension_pk)
    acteur = request.acteur
    cle = f"fin_suspension_{suspension.pk}"
    return _traiter(
        request,
        prestation,
        cle=cle,
        form=_form(FinSuspensionForm, request, prestation, cle),
        executer=lambda d: workflow.mettre_fin_suspension(acteur, suspension, d["fin"]),
        succes=lambda s: f"La suspension se termine le {s.fin:%d/%m/%Y} : la prestation reprend.",
    )


@require_POST
@acteur_requis
def prestation_periode(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="periode",
        form=_form(PeriodeEntrepriseForm, request, prestation, "periode"),
        executer=lambda d: workflow.enregistrer_periode_entreprise(acteur, prestation, **d),
        succes=lambda p: (
            f"Période en entreprise chez {p.entreprise} enregistrée du {p.debut:%d/%m/%Y} au {p.fin:%d/%m/%Y}."
        ),
    )


@require_POST
@acteur_requis
def prestation_sortie(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="sortie",
        form=_form(SortieForm, request, prestation, "sortie"),
        executer=lambda d: workflow.enregistrer_sortie(acteur, prestation, **d),
        succes=lambda s: f"Sortie enregistrée. {s.explication}",
    )


@require_POST
@acteur_requis
def prestation_interruption(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="interruption",
        form=_form(InterruptionForm, request, prestation, "interruption"),
        executer=lambda d: workflow.interrompre(acteur, prestation, **d),
        succes=lambda s: (
            f"Prestation interrompue le {s.date_sortie:%d/%m/%Y} ({s.get_type_display().lower()}) ; "
            "le prescripteur est informé."
        ),
    )


@require_POST
@acteur_requis
def prestation_cloture(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="cloture",
        form=_form(ClotureSuiviForm, request, prestation, "cloture"),
        executer=lambda d: workflow.clore_suivi(acteur, prestation),
        succes=lambda p: "Le suivi dans l'emploi est clos.",
    )


@require_POST
@acteur_requis
def prestation_renouvellement(request, pk):
    prestation = _preparer(request, pk, prescripteur=True)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="renouvellement",
        form=_form(RenouvellementForm, request, prestation, "renouvellement"),
        executer=lambda d: workflow.renouveler(acteur, prestation, **d),
        succes=lambda p: f"Prestation renouvelée jusqu'au {p.date_fin:%d/%m/%Y} (MOV-08).",
    )


@require_POST
@acteur_requis
def prestation_action(request, pk):
    prestation = _preparer(request, pk)
    acteur = request.acteur
    return _traiter(
        request,
        prestation,
        cle="action",
        form=_form(ActionParcoursForm, request, prestation, "action"),
        executer=lambda d: workflow.ajouter_action(acteur, prestation, **d),
        succes=lambda a: f"Action « {a.libelle} » ajoutée au parcours.",
    )


@require_POST
@acteur_requis
def prestation_action_statut(request, pk, action_pk):
    prestation = _preparer(request, pk)
    action = get_object_or_404(prestation.actions.all(), pk=action_pk)
    acteur = request.acteur
    cle = f"statut_action_{action.pk}"
    return _traiter(
        request,
        prestation,
        cle=cle,
        form=_form(StatutActionForm, request, prestation, cle),
        executer=lambda d: workflow.modifier_action(acteur, action, **d),
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
    (read-only) for a prescripteur; its scope for a financeur. Constant queries: the stored
    next deadline is shown, the facts are never computed per row (principle 9)."""
    acteur = request.acteur
    le = timezone.localdate()
    base = Prestation.objects.visible_par(acteur).pour_liste()
    if acteur.role == Role.REFERENT:
        base = base.filter(referent=acteur.user)
    filtre = FiltrePrestationsForm(request.GET or None)
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


# --- Group sessions (EMA-01, BAM-03) ------------------------------------------------------


def _sessions(acteur):
    return (
        SessionCollective.objects.filter(organisation=acteur.organisation)
        .select_related("animateur")
        .order_by("-debut", "-pk")
    )


def _prestations_participantes(acteur):
    """Cases in progress of the structure this acteur may act on (its own for a référent).

    A case in suivi dans l'emploi is left out: its entretiens record whether the person is
    still in the job (MOV-13), which a group session does not say."""
    qs = (
        Prestation.objects.visible_par(acteur)
        .filter(etat=Etat.EN_COURS)
        .select_related("lettre_de_commande__beneficiaire")
        .order_by("lettre_de_commande__beneficiaire__nom_normalise", "pk")
    )
    if acteur.role == Role.REFERENT:
        qs = qs.filter(referent=acteur.user)
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
            session = workflow.creer_session(request.acteur, **form.cleaned_data)
        except ValidationError as erreur:
            _appliquer_erreurs(form, erreur)
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
            workflow.ajouter_participant(request.acteur, session, prestation, presence=form.cleaned_data["presence"])
        except ValidationError as erreur:
            _appliquer_erreurs(form, erreur)
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
