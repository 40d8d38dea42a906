"""Attendance proofs, entretien by entretien (EMA-01), as a hash chain per case (EMA-02).

- ``emarger``: record the proof of one entretien (signed in person, confirmed by the
  e-mail link, or a scan of the paper sheet), under the case lock: its rank is the next
  of the case's chain, its ``precedente`` the hash of the previous proof, its
  ``empreinte`` the SHA-256 of both (``empreinte``). The journal records each proof with
  its hash, so that even the removal of the last proof of a chain shows.
- ``verifier_chaine``: walk a case's chain and say what is wrong (a rank missing, a
  line altered, a proof the journal knows that is gone).
- ``lignes_de_la_feuille``: the feuille d'émargement of a period: every entretien held,
  with its proof or the mention that it has none.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commun.exceptions import ActionRefusee
from livrables.models import Emargement, MethodeEmargement
from prestations.journal import journaliser
from prestations.models import Entretien, Evenement, Presence, TypeEvenement
from prestations.suivi.gardes import verifier_acteur_prestataire
from prestations.verrou import verrouiller

ORIGINE = "0" * 64

CONSENTEMENT_EMARGEMENT = (
    "Je certifie avoir participé à cet entretien, à la date et pour la durée indiquées, et je signe "
    "électroniquement ma feuille d'émargement."
)


def _instant(moment: datetime.datetime | None) -> str | None:
    return moment.astimezone(datetime.UTC).isoformat() if moment else None


def contenu_canonique(emargement: Emargement, entretien: Entretien) -> bytes:
    """What a proof's hash covers: the proof and the facts of the entretien it attests."""
    donnees = {
        "prestation": emargement.prestation_id,
        "rang": emargement.rang,
        "entretien": entretien.pk,
        "entretien_debut": _instant(entretien.debut),
        "entretien_duree": entretien.duree_minutes,
        "entretien_type": entretien.type,
        "entretien_modalite": entretien.modalite,
        "methode": emargement.methode,
        "signataire": emargement.signataire_nom,
        "consentement": emargement.consentement,
        "dessin": hashlib.sha256(emargement.dessin.encode()).hexdigest() if emargement.dessin else "",
        "scan": emargement.scan_empreinte,
        "signe_le": _instant(emargement.signe_le),
        "ip": emargement.ip or "",
        "navigateur": emargement.user_agent,
        "enregistre_par": emargement.enregistre_par_id,
    }
    return json.dumps(donnees, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def empreinte(emargement: Emargement, entretien: Entretien) -> str:
    return hashlib.sha256(emargement.precedente.encode() + contenu_canonique(emargement, entretien)).hexdigest()


def verifier_emargement(acteur, prestation, entretien) -> None:
    """Who records a proof (the référent or a responsable, as any action on the case), and
    for which entretien: one held, of this case, without a proof yet."""
    if acteur is not None:
        verifier_acteur_prestataire(acteur, prestation)
    if entretien.prestation_id != prestation.pk:
        raise PermissionDenied("Cet entretien n'appartient pas à ce dossier.")
    if entretien.presence != Presence.PRESENT:
        raise ActionRefusee("Le bénéficiaire était absent : il n'y a pas de présence à prouver.", "EMA-01")
    if Emargement.objects.filter(entretien=entretien).exists():
        raise ActionRefusee("La présence à cet entretien est déjà prouvée.", "EMA-01")


def emarger(
    acteur,
    prestation,
    entretien,
    *,
    methode: str,
    signataire_nom: str,
    consentement: str = "",
    dessin: str = "",
    scan=None,
    scan_empreinte: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> Emargement:
    """EMA-01: the proof of attendance of ``entretien``, chained to the case's previous one.
    ``acteur`` is None when the bénéficiaire confirms by the e-mail link."""
    signataire_nom = " ".join((signataire_nom or "").split())
    if not signataire_nom:
        raise ValidationError({"signataire_nom": "Saisissez le nom du signataire."})
    if methode not in MethodeEmargement.values:
        raise ValidationError({"methode": "Méthode d'émargement inconnue."})
    if methode == MethodeEmargement.PAPIER and not scan:
        raise ValidationError({"scan": "Joignez le scan de la feuille signée."})
    with verrouiller(prestation) as verrouillee:
        entretien = Entretien.objects.select_for_update().get(pk=entretien.pk)
        verifier_emargement(acteur, verrouillee, entretien)
        derniere = Emargement.objects.filter(prestation=verrouillee).order_by("-rang").first()
        preuve = Emargement(
            prestation=verrouillee,
            entretien=entretien,
            rang=(derniere.rang + 1) if derniere else 1,
            methode=methode,
            signataire_nom=signataire_nom[:200],
            consentement=consentement[:500],
            dessin=dessin,
            scan_empreinte=scan_empreinte,
            signe_le=timezone.now(),
            ip=ip or None,
            user_agent=(user_agent or "")[:500],
            enregistre_par=acteur.user if acteur else None,
            precedente=derniere.empreinte if derniere else ORIGINE,
        )
        if scan is not None:
            preuve.scan.save("scan.pdf", scan, save=False)
        try:
            preuve.empreinte = empreinte(preuve, entretien)
            preuve.save()
            journaliser(
                TypeEvenement.EMARGEMENT,
                acteur=acteur,
                ldc=verrouillee.lettre_de_commande,
                message=f"Présence à l'entretien du {timezone.localtime(entretien.debut):%d/%m/%Y à %H:%M} "
                f"prouvée : {preuve.get_methode_display().lower()} (EMA-01).",
                emargement=preuve.pk,
                rang=preuve.rang,
                empreinte=preuve.empreinte,
            )
        except BaseException:
            if preuve.scan:
                preuve.scan.storage.delete(preuve.scan.name)
            raise
    return preuve


@dataclass
class EtatChaine:
    """What the walk of a case's chain found."""

    nombre: int = 0
    derniere: str = ORIGINE
    anomalies: list[str] = field(default_factory=list)

    @property
    def intacte(self) -> bool:
        return not self.anomalies


def verifier_chaine(prestation) -> EtatChaine:
    """EMA-02: each proof's hash recomputed, each link to the previous one, ranks without a
    gap, and every proof the journal recorded still there with its hash."""
    etat = EtatChaine()
    preuves = list(Emargement.objects.filter(prestation=prestation).select_related("entretien").order_by("rang"))
    precedente = ORIGINE
    for attendu, preuve in enumerate(preuves, start=1):
        if preuve.rang != attendu:
            etat.anomalies.append(f"Émargement n° {attendu} manquant dans la chaîne.")
        if preuve.precedente != precedente:
            etat.anomalies.append(f"Émargement n° {preuve.rang} : il ne suit pas l'émargement qui le précède.")
        if empreinte(preuve, preuve.entretien) != preuve.empreinte:
            etat.anomalies.append(f"Émargement n° {preuve.rang} : son contenu a été modifié.")
        precedente = preuve.empreinte
    connues = {p.empreinte for p in preuves}
    journal = Evenement.objects.filter(
        lettre_de_commande=prestation.lettre_de_commande_id, type=TypeEvenement.EMARGEMENT
    ).values_list("donnees", flat=True)
    for donnees in journal:
        if donnees.get("empreinte") not in connues:
            etat.anomalies.append(f"Émargement n° {donnees.get('rang')} enregistré au journal : il a disparu.")
    etat.nombre = len(preuves)
    etat.derniere = precedente
    return etat


#: How a proof reads on the feuille, one line each.
METHODES_COURTES = {
    MethodeEmargement.SUR_PLACE: "Signé sur place",
    MethodeEmargement.A_DISTANCE: "Confirmé par e-mail",
    MethodeEmargement.PAPIER: "Feuille papier signée",
}


def lignes_de_la_feuille(prestation, du: datetime.date | None = None, au: datetime.date | None = None) -> list[dict]:
    """The feuille d'émargement of ``[du, au]`` (every entretien held by default): one line per
    entretien the bénéficiaire attended, with its proof or its absence (EMA-01)."""
    entretiens = (
        Entretien.objects.filter(prestation=prestation, presence=Presence.PRESENT)
        .select_related("emargement", "session")
        .order_by("debut")
    )
    lignes = []
    for e in entretiens:
        if (du and e.jour < du) or (au and e.jour > au):
            continue
        preuve = getattr(e, "emargement", None)
        debut = timezone.localtime(e.debut)
        lignes.append(
            {
                "date": f"{debut:%d/%m/%Y}",
                "heure": f"{debut:%H:%M}",
                "duree": f"{e.duree_minutes} min",
                "nature": e.get_type_display() + (f" ({e.session.titre})" if e.session_id else ""),
                "modalite": e.get_modalite_display(),
                "preuve": bool(preuve),
                "methode": METHODES_COURTES[preuve.methode] if preuve else "",
                "signataire": preuve.signataire_nom if preuve else "",
                "signe_le": f"{timezone.localtime(preuve.signe_le):%d/%m/%Y à %H:%M}" if preuve else "",
                "rang": preuve.rang if preuve else None,
                "empreinte": preuve.empreinte if preuve else "",
                "dessin": preuve.dessin if preuve else "",
            }
        )
    return lignes
