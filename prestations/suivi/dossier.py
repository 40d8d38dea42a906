"""The case page: what it reads (in a constant number of queries, principle 9) and the
form of each action ``actions_possibles`` offers.

``FORMULAIRES`` says, once per action, how it shows on the page: its title, button,
form, the service it calls and the message on success; which actions show, and why an
action is refused, come from the guards (``suivi.actions``), never from here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from prestations import faits
from prestations.echeances.horloges import horloges
from prestations.models import Etat, Prestation
from prestations.suivi import (
    contractualisation,
    entretiens,
    fins,
    parcours,
    renouvellement,
    suspensions,
)
from prestations.suivi.actions import actions_possibles
from prestations.suivi.forms import (
    ActionParcoursForm,
    ClotureSuiviForm,
    ContractualisationForm,
    EntretienForm,
    FinAnticipeeForm,
    FinSuspensionForm,
    InterruptionForm,
    PeriodeEntrepriseForm,
    PhaseForm,
    RenouvellementForm,
    SortieForm,
    StatutActionForm,
    SuspensionForm,
)


def dossiers_visibles(acteur):
    """The cases the acteur may open, with everything the page reads."""
    return (
        faits.charger(Prestation.objects.visible_par(acteur).pour_liste())
        .select_related(
            "lettre_de_commande__marche__financeur",
            "lettre_de_commande__prescripteur",
            "lettre_de_commande__organisation_prescriptrice",
            "sortie",
        )
        .prefetch_related("actions", "renouvellements", "echeances")
    )


@dataclass(frozen=True)
class Gabarit:
    """How one action shows on the case page and what it calls."""

    url: str  # URL name
    form_class: type
    executer: Callable  # (acteur, prestation, form data) → result
    succes: Callable  # result → message
    titre: Callable = lambda p: ""
    bouton: Callable = lambda p: ""
    aide: Callable = lambda p, le: ""
    ouvert: bool = False
    style_bouton: str = "btn-primary"
    multipart: bool = False


def _aide_contractualisation(p, le) -> str:
    delai = p.regle.delai_contractualisation
    return f"À faire au plus tard le {delai.date_limite(p.date_debut):%d/%m/%Y} ({delai.regle})." if delai else ""


def _aide_phase(p, le) -> str:
    if not p.regle.phases_ordonnees:
        return "Les niveaux ne se suivent pas nécessairement (CEP-01)."
    courante = next((ph for ph in faits.progression_phases(p) if ph.courante), None)
    if courante is None or not courante.minimum:
        return ""
    exige = ngettext("%(n)d entretien individuel", "%(n)d entretiens individuels", courante.minimum)
    return f"Phase en cours : {courante.entretiens} sur {exige % {'n': courante.minimum}} au moins."


def _titre_phase(p) -> str:
    return "Passer à la phase suivante" if p.regle.phases_ordonnees else "Changer de phase"


def _bouton_phase(p) -> str:
    suivante = p.regle.phase_suivante(p.phase) if p.regle.phases_ordonnees and p.phase else None
    return f"Passer à « {suivante.libelle} »" if suivante else "Ouvrir cette phase"


def _aide_periode(p, le) -> str:
    regle = p.regle.periode_entreprise
    return f"De {regle.duree_min_jours} à {regle.duree_max_jours} jours ({regle.regle})." if regle else ""


def _aide_cloture(p, le) -> str:
    suivi = p.regle.suivi_emploi
    if not (suivi and p.date_reprise):
        return ""
    return f"Le suivi court jusqu'au {suivi.date_fin(p.date_reprise):%d/%m/%Y} ({suivi.regle})."


def _aide_renouvellement(p, le) -> str:
    regle = p.regle.renouvellement
    return f"La fin passe au {regle.nouvelle_date_fin(p.date_fin):%d/%m/%Y} ({regle.regle})." if regle else ""


def _titre_renouvellement(p) -> str:
    return f"Renouveler pour {p.regle.renouvellement.duree_mois} mois"


FORMULAIRES: dict[str, Gabarit] = {
    "contractualisation": Gabarit(
        "prestations:prestation_contractualiser",
        ContractualisationForm,
        lambda a, p, d: contractualisation.contractualiser(a, p, **d),
        lambda p: (
            "Refus de signature enregistré : la prestation est refusée et le prescripteur informé."
            if p.etat == Etat.REFUSEE
            else "Contractualisation enregistrée : le contrat d'accompagnement est signé."
        ),
        titre=lambda p: "Enregistrer la contractualisation",
        bouton=lambda p: "Enregistrer la contractualisation",
        aide=_aide_contractualisation,
        ouvert=True,
    ),
    "entretien": Gabarit(
        "prestations:prestation_entretien",
        EntretienForm,
        lambda a, p, d: entretiens.enregistrer_entretien(a, p, **d),
        lambda e: f"Entretien du {timezone.localtime(e.debut):%d/%m/%Y à %H:%M} enregistré.",
        titre=lambda p: "Enregistrer un entretien",
        bouton=lambda p: "Enregistrer l'entretien",
        aide=lambda p, le: "Un entretien se saisit une fois qu'il a eu lieu, le jour même ou plus tard.",
        ouvert=True,
    ),
    "phase": Gabarit(
        "prestations:prestation_phase",
        PhaseForm,
        lambda a, p, d: entretiens.passer_phase(a, p, d["cible"]),
        lambda p: f"La prestation est passée en « {p.phase_regle.libelle} ».",
        titre=_titre_phase,
        bouton=_bouton_phase,
        aide=_aide_phase,
    ),
    "fin_anticipee": Gabarit(
        "prestations:prestation_fin_anticipee",
        FinAnticipeeForm,
        lambda a, p, d: fins.terminer_apres_phase(a, p, d["motif"]),
        lambda p: "La prestation est terminée ; le prescripteur est informé.",
        titre=lambda p: f"Terminer après « {p.phase_regle.libelle} »",
        bouton=lambda p: "Terminer la prestation",
        aide=lambda p, le: f"Fin possible juste après cette phase ({', '.join(p.phase_regle.regles)}).",
        style_bouton="btn-outline-danger",
    ),
    "suspension": Gabarit(
        "prestations:prestation_suspension",
        SuspensionForm,
        lambda a, p, d: suspensions.declarer_suspension(a, p, **d),
        lambda s: f"Suspension enregistrée du {s.debut:%d/%m/%Y} au {s.fin:%d/%m/%Y} ; la date de fin ne change pas.",
        titre=lambda p: "Déclarer une suspension",
        bouton=lambda p: "Déclarer la suspension",
        aide=lambda p, le: f"La date de fin de la prestation ne change pas ({p.regle.suspension.regle}).",
    ),
    "periode": Gabarit(
        "prestations:prestation_periode",
        PeriodeEntrepriseForm,
        lambda a, p, d: suspensions.enregistrer_periode_entreprise(a, p, **d),
        lambda pe: (
            f"Période en entreprise chez {pe.entreprise} enregistrée du {pe.debut:%d/%m/%Y} au {pe.fin:%d/%m/%Y}."
        ),
        titre=lambda p: "Enregistrer une période en entreprise",
        bouton=lambda p: "Enregistrer la période",
        aide=_aide_periode,
    ),
    "sortie": Gabarit(
        "prestations:prestation_sortie",
        SortieForm,
        lambda a, p, d: fins.enregistrer_sortie(a, p, **d),
        lambda s: f"Sortie enregistrée. {s.explication}",
        titre=lambda p: "Enregistrer la sortie",
        bouton=lambda p: "Enregistrer la sortie",
        aide=lambda p, le: "Le classement positif ou non suit SOR-01 à SOR-04.",
    ),
    "interruption": Gabarit(
        "prestations:prestation_interruption",
        InterruptionForm,
        lambda a, p, d: fins.interrompre(a, p, **d),
        lambda s: (
            f"Prestation interrompue le {s.date_sortie:%d/%m/%Y} ({s.get_type_display().lower()}) ; "
            "le prescripteur est informé."
        ),
        titre=lambda p: "Interrompre la prestation",
        bouton=lambda p: "Interrompre la prestation",
        aide=lambda p, le: (
            f"Le prescripteur est informé sous {p.regle.delai_information_interruption_heures} heures (LIV-03)."
        ),
        style_bouton="btn-outline-danger",
    ),
    "cloture": Gabarit(
        "prestations:prestation_cloture",
        ClotureSuiviForm,
        lambda a, p, d: fins.clore_suivi(a, p),
        lambda p: "Le suivi dans l'emploi est clos.",
        titre=lambda p: "Clore le suivi dans l'emploi",
        bouton=lambda p: "Clore le suivi dans l'emploi",
        aide=_aide_cloture,
        style_bouton="btn-outline-secondary",
    ),
    "renouvellement": Gabarit(
        "prestations:prestation_renouvellement",
        RenouvellementForm,
        lambda a, p, d: renouvellement.renouveler(a, p, **d),
        lambda p: f"Prestation renouvelée jusqu'au {p.date_fin:%d/%m/%Y}.",
        titre=_titre_renouvellement,
        bouton=_titre_renouvellement,
        aide=_aide_renouvellement,
    ),
    "action": Gabarit(
        "prestations:prestation_action",
        ActionParcoursForm,
        lambda a, p, d: parcours.ajouter_action(a, p, **d),
        lambda action: f"Action « {action.libelle} » ajoutée au parcours.",
        titre=lambda p: "Ajouter une action",
        bouton=lambda p: "Ajouter l'action",
    ),
}


@dataclass
class Formulaire:
    """One form of the case page: where it posts, what it says, its current state. A
    refused action has no form, only its ``raison``."""

    cle: str
    titre: str
    bouton: str = ""
    url: str = ""
    form: object = None
    aide: str = ""
    refus: str = ""
    raison: str = ""
    ouvert: bool = False
    compact: bool = False
    style_bouton: str = "btn-primary"
    multipart: bool = False
    regle: str = ""

    @property
    def conteneur(self) -> str:
        return f"action-{self.cle}"

    @property
    def a_des_erreurs(self) -> bool:
        return bool(self.refus) or (self.form is not None and self.form.is_bound and bool(self.form.errors))


def formulaire_vide(cle, prestation, le, form_kwargs=None):
    """The blank form of action ``cle`` for this case."""
    return FORMULAIRES[cle].form_class(prestation=prestation, prefix=cle, **(form_kwargs or {}))


def _formulaire(cle, prestation, le, lies, refus, form_kwargs=None) -> Formulaire:
    gabarit = FORMULAIRES[cle]
    return Formulaire(
        cle=cle,
        titre=gabarit.titre(prestation),
        bouton=gabarit.bouton(prestation),
        url=reverse(gabarit.url, args=[prestation.pk]),
        form=lies.get(cle) or formulaire_vide(cle, prestation, le, form_kwargs),
        aide=gabarit.aide(prestation, le),
        refus=refus.get(cle, ""),
        ouvert=gabarit.ouvert or cle in lies or cle in refus,
        style_bouton=gabarit.style_bouton,
        multipart=gabarit.multipart,
    )


@dataclass
class Page:
    """The actions of the case page: the forms offered now, the actions refused with
    their reason, and the forms attached to an item (end of a suspension, status of an
    action of the parcours)."""

    formulaires: list[Formulaire] = field(default_factory=list)
    ajout_action: Formulaire | None = None
    fins_de_suspension: dict[int, Formulaire] = field(default_factory=dict)
    statuts_d_action: dict[int, Formulaire] = field(default_factory=dict)

    def trouver(self, cle) -> Formulaire | None:
        """The form of action ``cle``, or its card when the action is refused now."""
        candidats = [*self.formulaires, self.ajout_action, *self.fins_de_suspension.values()]
        candidats += list(self.statuts_d_action.values())
        return next((f for f in candidats if f is not None and f.cle == cle), None)


def page_du_dossier(acteur, prestation, fd, le, lies=None, refus=None) -> Page:
    """The forms of the case page for this acteur now. ``lies``: bound forms (with errors)
    by key, shown instead of blank ones; ``refus``: a refused action's message, by key."""
    lies, refus = lies or {}, refus or {}
    page = Page()
    phases = [p for p in fd.phases if p.atteinte]
    for action in actions_possibles(acteur, prestation, le):
        if not action.permise:
            page.formulaires.append(
                Formulaire(
                    action.cle,
                    action.libelle,
                    raison=action.raison,
                    regle=action.regle,
                    refus=refus.get(action.cle, ""),
                )
            )
            continue
        if action.cle == "action":
            page.ajout_action = _formulaire("action", prestation, le, lies, refus)
            _statuts_d_action(page, prestation, lies, refus)
            continue
        form_kwargs = {"phases": phases} if action.cle == "entretien" else None
        page.formulaires.append(_formulaire(action.cle, prestation, le, lies, refus, form_kwargs))
        if action.cle == "suspension":
            _fins_de_suspension(page, prestation, le, lies, refus)
    return page


def _fins_de_suspension(page, prestation, le, lies, refus) -> None:
    """Shorten an ongoing (or future) suspension: its new last day lies before its declared one."""
    for suspension in prestation.suspensions.all():
        proposition = max(le - datetime.timedelta(days=1), suspension.debut)
        if suspension.fin <= proposition:
            continue
        cle = f"fin_suspension_{suspension.pk}"
        page.fins_de_suspension[suspension.pk] = Formulaire(
            cle=cle,
            titre="Mettre fin à la suspension",
            bouton="Mettre fin à la suspension",
            url=reverse("prestations:prestation_fin_suspension", args=[prestation.pk, suspension.pk]),
            form=lies.get(cle) or FinSuspensionForm(prestation=prestation, prefix=cle, initial={"fin": proposition}),
            refus=refus.get(cle, ""),
            compact=True,
            style_bouton="btn-outline-primary btn-sm",
        )


def _statuts_d_action(page, prestation, lies, refus) -> None:
    for action in prestation.actions.all():
        cle = f"statut_action_{action.pk}"
        page.statuts_d_action[action.pk] = Formulaire(
            cle=cle,
            titre="Statut",
            bouton="Mettre à jour",
            url=reverse("prestations:prestation_action_statut", args=[prestation.pk, action.pk]),
            form=lies.get(cle)
            or StatutActionForm(prestation=prestation, prefix=cle, initial={"statut": action.statut}),
            refus=refus.get(cle, ""),
            compact=True,
            style_bouton="btn-outline-primary btn-sm",
        )


def _titre_parcours(regle) -> str:
    livrables = {lv for p in regle.phases for lv in (*p.livrables, *p.livrables_optionnels)}
    if "carnet_de_suivi" in livrables:
        return "Carnet de suivi (BAM-03)"
    if "document_synthese" in livrables:
        return "Plan d'action (CEP-02)"
    return "Actions du parcours"


def _usage_suspensions(prestation):
    regle = prestation.regle.suspension
    if regle is None:
        return []
    usage = []
    for limite in regle.limites:
        pris = faits.jours_suspension_pris(prestation, limite.motif)
        usage.append(
            {
                "libelle": limite.libelle,
                "pris": pris,
                "max": limite.max_jours,
                "cumulee": limite.cumulee,
                "reste": max(limite.max_jours - pris, 0) if limite.cumulee else None,
            }
        )
    return usage


def _alerte_ecart(regle, fd) -> str | None:
    ecart = regle.ecart_entretiens
    if ecart is None or fd.ecart_net is None:
        return None
    seuil = min(ecart.alertes_jours) if ecart.alertes_jours else ecart.max_jours
    if fd.ecart_net > ecart.max_jours:
        return "danger"
    return "warning" if fd.ecart_net >= seuil else None


def contexte_dossier(acteur, prestation, *, lies=None, refus=None, succes="") -> dict:
    """Everything the case page shows."""
    le = timezone.localdate()
    fd = faits.faits_dossier(prestation, le)
    regle = prestation.regle
    page = page_du_dossier(acteur, prestation, fd, le, lies, refus)
    ldc = prestation.lettre_de_commande
    return {
        "prestation": prestation,
        "ldc": ldc,
        "beneficiaire": ldc.beneficiaire,
        "regle": regle,
        "faits": fd,
        "le": le,
        "sortie": getattr(prestation, "sortie", None),
        "entretiens": sorted(prestation.entretiens.all(), key=lambda e: e.debut, reverse=True),
        # Each item with the form attached to it, if any.
        "suspensions": [(s, page.fins_de_suspension.get(s.pk)) for s in prestation.suspensions.all()],
        "periodes": list(prestation.periodes_entreprise.all()),
        "actions_parcours": [(a, page.statuts_d_action.get(a.pk)) for a in prestation.actions.all()],
        "renouvellements": list(prestation.renouvellements.all()),
        "usage_suspensions": _usage_suspensions(prestation),
        "alerte_ecart": _alerte_ecart(regle, fd),
        "ecart_regle": regle.ecart_entretiens,
        "cadence": regle.cadence_entretiens,
        "periode_regle": regle.periode_entreprise,
        "page": page,
        "formulaires": page.formulaires,
        "ajout_action": page.ajout_action,
        "titre_parcours": _titre_parcours(regle),
        "evenements": list(ldc.evenements.select_related("auteur", "organisation")[:200]),
        "succes": succes,
        "horloges": horloges(prestation),
        "livrables": list(prestation.livrables.all()),
        "acteur_peut_agir": any(f.form is not None for f in page.formulaires) or page.ajout_action is not None,
    }
