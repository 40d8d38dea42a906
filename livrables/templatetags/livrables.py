"""The documents' parts of the case page: the page belongs to ``prestations``; this app adds
its cards without ``prestations`` importing it.

- ``{% livrables_du_dossier %}``: the deliverables the rule set expects at this point
  (required or optional), each with its latest version, its signatures, its transmission
  and its download and verification links; the lettre de commande's acceptance (PAY-01);
  the deposit of a PDF signed on paper.
- ``{% emargements_du_dossier %}``: each entretien held with its attendance proof or the
  lack of one (EMA-01), the state of the case's chain of proofs (EMA-02) and the
  feuille d'émargement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.core.exceptions import PermissionDenied, ValidationError

from commun.exceptions import ActionRefusee
from comptes.models import Role
from livrables import documents
from livrables.emargement import verifier_chaine
from livrables.forms import LivrableForm
from livrables.models import Emargement, EtatLivrable, Signature
from livrables.services import verifier_redaction, verifier_transmission
from prestations.models import Presence

register = template.Library()


@dataclass
class Ligne:
    """One kind of document on the case: what the rule set says of it and where it stands."""

    type: str
    libelle: str
    requis: bool
    regles: str
    versions: list = field(default_factory=list)
    signatures: int = 0
    attendues: int = 0
    peut_rediger: bool = False

    @property
    def derniere(self):
        return self.versions[0] if self.versions else None

    @property
    def en_cours(self) -> bool:
        d = self.derniere
        return d is not None and d.etat in (EtatLivrable.BROUILLON, EtatLivrable.A_SIGNER)


def _peut(garde, *args) -> bool:
    try:
        garde(*args)
    except (PermissionDenied, ActionRefusee, ValidationError):
        return False
    return True


@register.inclusion_tag("livrables/_dossier.html", takes_context=True)
def livrables_du_dossier(context):
    prestation = context["prestation"]
    acteur = context["acteur"]
    tous = sorted(prestation.livrables.all(), key=lambda lv: (lv.type, -lv.version))
    if acteur is not None and acteur.role == Role.PRESCRIPTEUR:  # documents received, never drafts
        tous = [lv for lv in tous if lv.etat == EtatLivrable.TRANSMIS]
    par_type: dict[str, list] = {}
    for livrable in tous:
        par_type.setdefault(livrable.type, []).append(livrable)
    signees: dict[int, int] = {}
    if tous:
        for livrable_id in Signature.objects.filter(livrable__in=[lv.pk for lv in tous]).values_list(
            "livrable_id", flat=True
        ):
            signees[livrable_id] = signees.get(livrable_id, 0) + 1
    attendus = documents.attendus_maintenant(prestation)
    types = [(cle, libelle, requis) for cle, libelle, requis in attendus]
    types += [(cle, documents.libelle(cle), False) for cle in par_type if cle not in {t for t, _, _ in types}]
    lignes = []
    for cle, libelle, requis in types:
        if cle == documents.LETTRE_DE_COMMANDE:
            continue
        versions = par_type.get(cle, [])
        ligne = Ligne(
            type=cle,
            libelle=libelle,
            requis=requis,
            regles=", ".join(documents.REGLES.get(cle, ())),
            versions=versions,
            attendues=len(documents.SIGNATAIRES[cle]),
            signatures=signees.get(versions[0].pk, 0) if versions else 0,
        )
        ligne.peut_rediger = not ligne.en_cours and not versions and _peut(verifier_redaction, acteur, prestation, cle)
        lignes.append(ligne)
    lettres = par_type.get(documents.LETTRE_DE_COMMANDE, [])
    lettre = lettres[0] if lettres else None
    form = context.get("formulaire_livrable")
    if form is None:
        form = (
            LivrableForm(prestation=prestation, prefix="livrable")
            if _peut(verifier_transmission, acteur, prestation)
            else None
        )
    return {
        "prestation": prestation,
        "lignes": lignes,
        "lettre": lettre,
        "peut_accepter": (lettre is None or lettre.etat in (EtatLivrable.BROUILLON, EtatLivrable.A_SIGNER))
        and _peut(verifier_redaction, acteur, prestation, documents.LETTRE_DE_COMMANDE),
        "form": form,
        "refus": context.get("refus_livrable", ""),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("livrables/_emargements.html", takes_context=True)
def emargements_du_dossier(context):
    prestation = context["prestation"]
    acteur = context["acteur"]
    preuves = {e.entretien_id: e for e in Emargement.objects.filter(prestation=prestation)}
    tenus = sorted(
        (e for e in prestation.entretiens.all() if e.presence == Presence.PRESENT), key=lambda e: e.debut, reverse=True
    )
    return {
        "prestation": prestation,
        "lignes": [(e, preuves.get(e.pk)) for e in tenus],
        "sans_preuve": sum(1 for e in tenus if e.pk not in preuves),
        "chaine": verifier_chaine(prestation),
        "peut_emarger": _peut(verifier_transmission, acteur, prestation),
    }
