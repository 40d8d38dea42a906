"""The life of a document (LIV-01..05, MOV-05, PAY-01, EMA-02): guard → atomic → journal →
notify, each change under the case lock (``prestations.verrou``), which rewrites the case's
échéances on leaving (a transmission honours LIV-01, LIV-02, LIV-03 and MOV-05).

- ``rediger``: a new draft of a deliverable the case needs at this point, pre-filled from
  the case (``contenu``); ``enregistrer``: the référent's text; ``soumettre``: the
  document to sign is rendered once and its SHA-256 recorded; ``reprendre``: back to the
  draft while nobody signed.
- signatures: ``livrables.signature``; once every signature is there the version is
  frozen (``signe``) and ``sceller`` (a Celery task, queued after commit) renders it as
  PDF/A, seals it and stores it byte for byte.
- ``corriger``: a new version to sign again; the old one stays (superseded if unfinished).
- ``transmettre``: to the prescripteur (notice, download in their view); the bilan final's
  copy goes to the bénéficiaire by an e-mail link (LIV-02). ``transmettre_en_l_etat``: an
  interrupted case's deliverables, signed or not (LIV-03).
- ``transmettre_livrable``: a PDF signed on paper, deposited and transmitted as it is.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from commun.exceptions import ActionRefusee
from comptes.models import Role
from comptes.notifications import notifier
from livrables import contenu as contenus
from livrables import documents, rendu, scellement, transmission
from livrables.models import EtatLivrable, Livrable, Origine
from prestations.journal import journaliser
from prestations.models import Etat, Prestation, TypeEvenement
from prestations.suivi.gardes import verifier_acteur_prestataire
from prestations.verrou import verrouiller

TAILLE_MAX = 10 * 1024 * 1024


def livrables_prevus(prestation) -> list[tuple[str, str]]:
    """The deliverables of the case's rule set (required and optional), in phase order."""
    return documents.prevus(prestation)


def nouvelle_reference() -> str:
    """A reference printed on the document, hard to guess: ``DOC-XXXX-XXXX-XXXX``."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    brut = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"DOC-{brut[:4]}-{brut[4:8]}-{brut[8:]}"


def _version_suivante(prestation, type_) -> int:
    return (Livrable.objects.filter(prestation=prestation, type=type_).aggregate(v=Max("version"))["v"] or 0) + 1


def _livrable_verrouille(livrable) -> Livrable:
    return Livrable.objects.select_for_update().get(pk=livrable.pk)


# --- Guards ----------------------------------------------------------------------------


def verifier_transmission(acteur, prestation: Prestation) -> None:
    """The référent of the case or a responsable transmits, once a référent is designated."""
    verifier_acteur_prestataire(acteur, prestation)
    if prestation.etat == Etat.ATTENTE_REFERENT:
        raise ActionRefusee("Un référent doit d'abord être désigné.", "MOV-04")


def verifier_redaction(acteur, prestation: Prestation, type_: str) -> None:
    """A deliverable of a phase the case has reached (LIV-05), by the référent or a
    responsable; the lettre de commande, by a responsable."""
    if type_ == documents.LETTRE_DE_COMMANDE:
        verifier_acceptation(acteur, prestation)
        return
    verifier_transmission(acteur, prestation)
    if type_ not in dict(livrables_prevus(prestation)):
        raise ValidationError({"type": "Ce livrable n'est pas prévu pour ce dispositif."})
    if type_ not in {cle for cle, _, _ in documents.attendus_maintenant(prestation)}:
        raise ActionRefusee("Ce livrable appartient à une phase que la prestation n'a pas encore atteinte.", "LIV-05")
    if prestation.etat == Etat.REFUSEE:
        raise ActionRefusee("La prestation est refusée : elle ne produit pas de livrable.", "MOV-06")


def verifier_acceptation(acteur, prestation: Prestation) -> None:
    """PAY-01: the responsable of the prestataire accepts the lettre de commande."""
    prestataire_id = prestation.lettre_de_commande.marche.prestataire_id
    if acteur.role != Role.RESPONSABLE or acteur.organisation.pk != prestataire_id:
        raise PermissionDenied("Seul un responsable du prestataire accepte la lettre de commande.")


def verifier_auteur(acteur, livrable: Livrable) -> None:
    verifier_redaction(acteur, livrable.prestation, livrable.type)


# --- Drafting ----------------------------------------------------------------------------


def rediger(acteur, prestation, type_: str) -> Livrable:
    """A new draft of ``type_``, pre-filled from the case. An unfinished version of the same
    document is continued, not duplicated (``ActionRefusee``)."""
    if type_ not in documents.TYPES:
        raise ValidationError({"type": "Ce document n'existe pas."})
    verifier_redaction(acteur, prestation, type_)
    with verrouiller(prestation) as verrouillee:
        verifier_redaction(acteur, verrouillee, type_)
        en_cours = Livrable.objects.filter(
            prestation=verrouillee, type=type_, etat__in=[EtatLivrable.BROUILLON, EtatLivrable.A_SIGNER]
        ).first()
        if en_cours:
            raise ActionRefusee(
                f"Une version de ce document est déjà en cours (version {en_cours.version}, "
                f"{en_cours.get_etat_display().lower()}).",
                "EMA-02",
            )
        if (
            type_ == documents.LETTRE_DE_COMMANDE
            and Livrable.objects.filter(
                prestation=verrouillee, type=type_, etat__in=[EtatLivrable.SIGNE, EtatLivrable.TRANSMIS]
            ).exists()
        ):
            raise ActionRefusee("La lettre de commande est déjà acceptée.", "PAY-01")
        livrable = Livrable.objects.create(
            prestation=verrouillee,
            type=type_,
            version=_version_suivante(verrouillee, type_),
            contenu={
                "rubriques": contenus.rubriques(type_, contenus.pre_remplir(verrouillee, type_)),
                "dossier": contenus.instantane(verrouillee, type_),
            },
            depose_par=acteur.user,
        )
        journaliser(
            TypeEvenement.DOCUMENT,
            acteur=acteur,
            ldc=verrouillee.lettre_de_commande,
            message=f"{livrable.get_type_display()} (version {livrable.version}) : brouillon rédigé.",
            livrable=livrable.pk,
        )
    return livrable


def _textes(livrable, textes) -> dict:
    nouveau = {
        "rubriques": contenus.rubriques(livrable.type, [t or "" for t in textes])
        if textes is not None
        else livrable.contenu.get("rubriques", []),
        "dossier": contenus.instantane(livrable.prestation, livrable.type),
    }
    return nouveau


def enregistrer(acteur, livrable: Livrable, textes: list[str]) -> Livrable:
    """The référent's text of each section; the case's snapshot is taken again."""
    verifier_auteur(acteur, livrable)
    if len(textes) != len(documents.rubriques(livrable.type)):
        raise ValidationError({"rubriques": "Le nombre de rubriques ne correspond pas à ce document."})
    with verrouiller(livrable.prestation):
        livrable = _livrable_verrouille(livrable)
        if livrable.etat != EtatLivrable.BROUILLON:
            raise ActionRefusee(_pas_modifiable(livrable), "EMA-02")
        nouveau = _textes(livrable, textes)
        contenus.valider(livrable.type, nouveau, complet=False)
        livrable.contenu = nouveau
        livrable.save()
    return livrable


def _pas_modifiable(livrable) -> str:
    if livrable.est_fige:
        return "Ce document est signé : il ne peut plus être modifié. « Corriger » crée une nouvelle version à signer."
    if livrable.etat == EtatLivrable.A_SIGNER:
        return "Ce document est soumis à signature : reprenez le brouillon (sans signature encore) ou corrigez-le."
    return "Cette version a été remplacée par une version suivante."


def apercu(livrable: Livrable) -> bytes:
    """The draft rendered as it stands (not stored)."""
    if livrable.etat == EtatLivrable.A_SIGNER and livrable.fichier_a_signer:
        with livrable.fichier_a_signer.open("rb") as f:
            return f.read()
    return rendu.apercu(livrable)


def soumettre(acteur, livrable: Livrable, textes: list[str] | None = None) -> Livrable:
    """Submit for signature: every section written; the document to sign is rendered once
    and stored, its SHA-256 recorded (each signature refers to it, EMA-02)."""
    verifier_auteur(acteur, livrable)
    ecrit = None
    try:
        with transaction.atomic(durable=True), verrouiller(livrable.prestation) as verrouillee:
            livrable = _livrable_verrouille(livrable)
            if livrable.etat != EtatLivrable.BROUILLON:
                raise ActionRefusee(_pas_modifiable(livrable), "EMA-02")
            nouveau = _textes(livrable, textes)
            contenus.valider(livrable.type, nouveau, complet=True)
            livrable.contenu = nouveau
            livrable.reference = livrable.reference or nouvelle_reference()
            pdf = rendu.a_signer(livrable)
            livrable.empreinte_a_signer = hashlib.sha256(pdf).hexdigest()
            livrable.fichier_a_signer.save("a-signer.pdf", ContentFile(pdf), save=False)
            ecrit = livrable.fichier_a_signer.name
            livrable.soumettre(timezone.now())
            livrable.save()
            journaliser(
                TypeEvenement.DOCUMENT,
                acteur=acteur,
                ldc=verrouillee.lettre_de_commande,
                message=f"{livrable.get_type_display()} (version {livrable.version}) soumis à signature.",
                livrable=livrable.pk,
                empreinte=livrable.empreinte_a_signer,
            )
    except BaseException:
        if ecrit:
            livrable.fichier_a_signer.storage.delete(ecrit)
        raise
    return livrable


def reprendre(acteur, livrable: Livrable) -> Livrable:
    """Back to the draft, while nobody has signed (the links sent die with it)."""
    verifier_auteur(acteur, livrable)
    with verrouiller(livrable.prestation):
        livrable = _livrable_verrouille(livrable)
        if livrable.etat != EtatLivrable.A_SIGNER:
            raise ActionRefusee(_pas_modifiable(livrable), "EMA-02")
        if livrable.signatures.exists():
            raise ActionRefusee(
                "Ce document porte déjà une signature : « Corriger » crée une nouvelle version.", "EMA-02"
            )
        ancien = livrable.fichier_a_signer.name
        livrable.reprendre()
        livrable.save()
        livrable.liens.filter(utilise_le__isnull=True).update(expire_le=timezone.now())
        transaction.on_commit(lambda: livrable.fichier_a_signer.storage.delete(ancien))
    return livrable


def corriger(acteur, livrable: Livrable, motif: str) -> Livrable:
    """EMA-02: a correction is a new version, to sign again; the old one stays as it is
    (an unfinished one is marked superseded and its signature links die)."""
    verifier_auteur(acteur, livrable)
    motif = " ".join((motif or "").split())
    if not motif:
        raise ValidationError({"motif": "Indiquez ce que corrige la nouvelle version."})
    with verrouiller(livrable.prestation) as verrouillee:
        livrable = _livrable_verrouille(livrable)
        if livrable.etat in (EtatLivrable.BROUILLON, EtatLivrable.REMPLACE):
            raise ActionRefusee(
                "Un brouillon se modifie directement."
                if livrable.etat == EtatLivrable.BROUILLON
                else _pas_modifiable(livrable),
                "EMA-02",
            )
        if Livrable.objects.filter(prestation=verrouillee, type=livrable.type, version__gt=livrable.version).exists():
            raise ActionRefusee("Une version plus récente de ce document existe déjà.", "EMA-02")
        if livrable.etat == EtatLivrable.A_SIGNER:
            livrable.remplacer()
            livrable.save()
            livrable.liens.filter(utilise_le__isnull=True).update(expire_le=timezone.now())
        nouvelle = Livrable.objects.create(
            prestation=verrouillee,
            type=livrable.type,
            version=_version_suivante(verrouillee, livrable.type),
            contenu={
                "rubriques": livrable.contenu.get("rubriques")
                or contenus.rubriques(livrable.type, contenus.pre_remplir(verrouillee, livrable.type)),
                "dossier": contenus.instantane(verrouillee, livrable.type),
            },
            motif_correction=motif[:300],
            depose_par=acteur.user,
        )
        journaliser(
            TypeEvenement.DOCUMENT,
            acteur=acteur,
            ldc=verrouillee.lettre_de_commande,
            message=f"{nouvelle.get_type_display()} : version {nouvelle.version} ouverte pour correction "
            f"de la version {livrable.version} ({motif}) (EMA-02).",
            livrable=nouvelle.pk,
            corrige=livrable.pk,
        )
    return nouvelle


# --- Freezing and sealing -----------------------------------------------------------------


def signatures_manquantes(livrable: Livrable, signees=None) -> list[str]:
    signees = {s.role for s in (livrable.signatures.all() if signees is None else signees)}
    return [role for role in documents.SIGNATAIRES[livrable.type] if role not in signees]


def figer_si_complet(livrable: Livrable) -> bool:
    """Inside the caller's lock: every signature is there → frozen, sealing queued."""
    if signatures_manquantes(livrable):
        return False
    livrable.signer()
    livrable.save()
    _planifier_scellement(livrable.pk)
    return True


def _planifier_scellement(livrable_id: int) -> None:
    def planifier():
        from livrables.tasks import sceller_livrable

        try:
            sceller_livrable.delay(livrable_id)
        except Exception:  # noqa: BLE001 - broker down: sealed at transmission, or by the next sweep
            import logging

            logging.getLogger(__name__).warning("Scellement du livrable %s non planifié.", livrable_id, exc_info=True)

    transaction.on_commit(planifier, robust=True)


# --- Transmission ---------------------------------------------------------------------------


def verifier_transmission_du_livrable(acteur, livrable: Livrable) -> None:
    verifier_transmission(acteur, livrable.prestation)
    if livrable.type == documents.LETTRE_DE_COMMANDE:
        raise ActionRefusee("La lettre de commande acceptée est transmise dès son scellement.", "PAY-01")
    if livrable.etat == EtatLivrable.TRANSMIS:
        raise ActionRefusee("Ce document est déjà transmis.", "LIV-05")
    if livrable.etat != EtatLivrable.SIGNE:
        raise ActionRefusee("Seul un document signé se transmet (LIV-03 : en l'état après une interruption).", "LIV-05")


def transmettre(acteur, livrable: Livrable) -> Livrable:
    """To the prescripteur (notice and download in their view), at this time, which the
    deadlines read (LIV-01, LIV-02, LIV-03, MOV-05). A version not sealed yet (the worker
    has not run) is sealed now."""
    verifier_transmission_du_livrable(acteur, livrable)
    ecrit = None
    try:
        with transaction.atomic(durable=True), verrouiller(livrable.prestation) as verrouillee:
            livrable = _livrable_verrouille(livrable)
            verifier_transmission_du_livrable(acteur, livrable)
            if not livrable.est_pret:
                scellement.sceller_maintenant(livrable)
                ecrit = livrable.fichier.name
            transmission.transmettre_maintenant(acteur, livrable, verrouillee)
    except BaseException:
        if ecrit:
            livrable.fichier.storage.delete(ecrit)
        raise
    return livrable


def transmettre_en_l_etat(acteur, livrable: Livrable) -> Livrable:
    """LIV-03: after an interruption, the deliverables of the phases done go to the
    prescripteur signed or not: the version is frozen as it is, sealed and transmitted."""
    verifier_transmission(acteur, livrable.prestation)
    if livrable.prestation.etat != Etat.INTERROMPUE:
        raise ActionRefusee("Seule une prestation interrompue transmet ses livrables sans signature.", "LIV-03")
    ecrit = None
    try:
        with transaction.atomic(durable=True), verrouiller(livrable.prestation) as verrouillee:
            livrable = _livrable_verrouille(livrable)
            if livrable.etat not in (EtatLivrable.BROUILLON, EtatLivrable.A_SIGNER):
                raise ActionRefusee("Ce document n'est plus un brouillon ni en attente de signature.", "LIV-03")
            if livrable.etat == EtatLivrable.BROUILLON:
                contenus.valider(livrable.type, livrable.contenu, complet=False)
                livrable.reference = livrable.reference or nouvelle_reference()
            livrable.figer_sans_signature()
            livrable.save()
            livrable.liens.filter(utilise_le__isnull=True).update(expire_le=timezone.now())
            scellement.sceller_maintenant(livrable)
            ecrit = livrable.fichier.name
            transmission.transmettre_maintenant(acteur, livrable, verrouillee)
    except BaseException:
        if ecrit:
            livrable.fichier.storage.delete(ecrit)
        raise
    return livrable


# --- Deposit of a PDF signed on paper ---------------------------------------------------------


def lire_fichier(fichier, *, champ: str = "fichier", types=("pdf",)) -> bytes:
    """An uploaded file, checked by its content (not its name) and its size."""
    if fichier is None:
        raise ValidationError({champ: "Joignez le document au format PDF."})
    if fichier.size > TAILLE_MAX:
        raise ValidationError({champ: f"Le fichier dépasse {TAILLE_MAX // (1024 * 1024)} Mo."})
    contenu = fichier.read()
    fichier.seek(0)
    signatures = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
    if not any(contenu.startswith(signatures[t]) for t in types):
        attendu = "un PDF" if types == ("pdf",) else "un PDF, une image PNG ou JPEG"
        raise ValidationError({champ: f"Le fichier doit être {attendu}."})
    return contenu


def transmettre_livrable(acteur, prestation, *, type: str, fichier) -> Livrable:
    """A document signed on paper, deposited as a PDF and transmitted to the prescripteur as
    it is (a new version of its kind), marked as deposited by whom and when.

    Concurrency: the case row is locked (``prestations.verrou``) before the next version
    is read, as every action locks its case first; simultaneous deposits of one case
    therefore queue on that lock and get versions 1, 2, 3... without a gap or a
    duplicate. The guards are checked again on the locked row.

    The file and its row: the file is written under the lock, once its version (hence its
    name) is allotted, then the row is inserted in the same transaction. If anything
    fails before the commit is done (the journal, the notice, the deadline rows, the
    commit itself), the file just written is deleted and the error re-raised: a file is
    left on disk only with its row. The transaction is ``durable``: a caller cannot wrap
    this call in its own transaction, so this commit is the real one. What remains is a
    process killed between the write and the commit: an orphan file, never a row without
    its file."""
    verifier_transmission(acteur, prestation)
    prevus = dict(livrables_prevus(prestation))
    if type not in prevus:
        raise ValidationError({"type": "Ce livrable n'est pas prévu pour ce dispositif."})
    contenu = lire_fichier(fichier)
    ecrit = None  # the storage name of the file once written, to delete on failure
    try:
        with transaction.atomic(durable=True), verrouiller(prestation) as verrouillee:
            verifier_transmission(acteur, verrouillee)
            version = _version_suivante(verrouillee, type)
            maintenant = timezone.now()
            livrable = Livrable(
                prestation=verrouillee,
                type=type,
                version=version,
                origine=Origine.DEPOT,
                reference=nouvelle_reference(),
                nom_original=(getattr(fichier, "name", "") or f"{type}.pdf")[:200],
                taille=len(contenu),
                empreinte=hashlib.sha256(contenu).hexdigest(),
                depose_par=acteur.user,
                # Deposited signed on paper: created frozen and transmitted.
                etat=EtatLivrable.TRANSMIS,
                transmis_le=maintenant,
                transmis_par=acteur.user,
            )
            livrable.fichier.save(f"{type}.pdf", fichier, save=False)
            ecrit = livrable.fichier.name
            livrable.save()
            ldc = verrouillee.lettre_de_commande
            journaliser(
                TypeEvenement.LIVRABLE,
                acteur=acteur,
                ldc=ldc,
                message=f"{livrable.get_type_display()} (version {version}, signé sur papier, déposé par "
                f"{acteur.user}) transmis au prescripteur (LIV-05).",
                empreinte=livrable.empreinte,
            )
            notifier(
                [ldc.prescripteur],
                cle=f"livrable:{livrable.pk}",
                organisation=ldc.organisation_prescriptrice,
                sujet=f"{livrable.get_type_display()} transmis — {ldc.numero}",
                corps=f"{acteur.organisation.nom} vous transmet le document « {livrable.get_type_display()} » "
                f"(version {version}, signé sur papier) de {ldc.beneficiaire.prenom} {ldc.beneficiaire.nom}.",
                lien=reverse("livrables:telecharger", args=[livrable.pk]),
            )
    except BaseException:
        if ecrit:
            livrable.fichier.storage.delete(ecrit)
        raise
    return livrable
