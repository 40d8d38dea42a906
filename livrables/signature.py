"""Signing, accessible first (EMA-01, EMA-02).

- In person (``signer``): the signer types their name and ticks an explicit consent
  sentence; a drawn signature (signature_pad) may be added, never required. The
  bénéficiaire signs on the référent's screen; the référent and the responsable sign
  from their own account.
- Remote (``envoyer_lien``, ``utiliser_lien``): an e-mail to the bénéficiaire (through the
  outbox, ``comptes.notifications``) with a link valid ``LIEN_SIGNATURE_HEURES`` hours and
  a one-time code of 6 digits, given in the same e-mail (the link alone is not enough:
  a forwarded or leaked address without the code signs nothing, and 5 wrong codes close
  the link). Expired, used or wrong-code links are refused with a clear page. The same
  link confirms attendance at an entretien held remotely.
- On paper (``deposer_scan``): the référent deposits the scan of the document signed on
  paper; it counts for every signature still missing, marked "signé sur papier" with who
  deposited it and when, and is embedded in the sealed PDF/A.

Each signature records signer, role, method, time, IP, user agent and the SHA-256 of the
exact document signed (the rendering submitted for signature).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from beneficiaires.normalisation import normaliser
from commun.exceptions import ActionRefusee
from comptes.models import Role
from comptes.notifications import notifier
from livrables import documents
from livrables.emargement import CONSENTEMENT_EMARGEMENT, emarger, verifier_emargement
from livrables.models import (
    EtatLivrable,
    LienSignature,
    Livrable,
    MethodeEmargement,
    MethodeSignature,
    RoleSignataire,
    Signature,
)
from livrables.services import figer_si_complet, lire_fichier, verifier_auteur
from prestations.journal import journaliser
from prestations.models import Entretien, Prestation, TypeEvenement
from prestations.suivi.gardes import verifier_acteur_prestataire
from prestations.verrou import verrouiller

TENTATIVES_MAX = 5
#: The biggest drawn signature accepted (a PNG data URL).
DESSIN_MAX = 300_000


def consentement(livrable: Livrable) -> str:
    """The sentence the signer ticks, recorded with the signature."""
    return (
        f"J'ai lu le document « {livrable.get_type_display()} » (version {livrable.version}, référence "
        f"{livrable.reference}) et je le signe électroniquement : mon nom saisi vaut signature."
    )


def nom_attendu(livrable: Livrable, role: str) -> str:
    """The name the signer of ``role`` types (the bénéficiaire's, the référent's...)."""
    prestation = livrable.prestation
    if role == RoleSignataire.BENEFICIAIRE:
        b = prestation.lettre_de_commande.beneficiaire
        return f"{b.prenom} {b.nom}"
    if role == RoleSignataire.REFERENT:
        return _nom_utilisateur(prestation.referent) if prestation.referent else ""
    return ""


def _nom_utilisateur(user) -> str:
    return user.get_full_name() or user.email


def _meme_nom(saisi: str, attendu: str) -> bool:
    mots = sorted(normaliser(saisi).split())
    return bool(mots) and mots == sorted(normaliser(attendu).split())


def _valider_dessin(dessin: str) -> str:
    dessin = dessin or ""
    if dessin and (not dessin.startswith("data:image/png;base64,") or len(dessin) > DESSIN_MAX):
        raise ValidationError(
            {"dessin": "Le dessin de la signature n'est pas une image valide : effacez-le et recommencez."}
        )
    return dessin


def _valider_signataire(nom: str, attendu: str, accepte: bool) -> str:
    nom = " ".join((nom or "").split())
    erreurs = {}
    if not nom:
        erreurs["nom"] = "Saisissez votre nom et votre prénom."
    elif attendu and not _meme_nom(nom, attendu):
        erreurs["nom"] = f"Le nom saisi ne correspond pas à celui du signataire attendu ({attendu})."
    if not accepte:
        erreurs["consentement"] = "Cochez la déclaration pour signer."
    if erreurs:
        raise ValidationError(erreurs)
    return nom


def roles_signables_par(acteur, livrable: Livrable) -> list[str]:
    """The signatures ``acteur`` may collect on this version now, in order."""
    if livrable.etat != EtatLivrable.A_SIGNER:
        return []
    prestation = livrable.prestation
    manquants = [
        r for r in documents.SIGNATAIRES[livrable.type] if r not in {s.role for s in livrable.signatures.all()}
    ]
    possibles = []
    for role in manquants:
        if role == RoleSignataire.RESPONSABLE:
            if (
                acteur.role == Role.RESPONSABLE
                and acteur.organisation.pk == prestation.lettre_de_commande.marche.prestataire_id
            ):
                possibles.append(role)
        elif role == RoleSignataire.REFERENT:
            if prestation.referent_id == acteur.user.pk:
                possibles.append(role)
        elif role == RoleSignataire.BENEFICIAIRE:
            try:
                verifier_acteur_prestataire(acteur, prestation)
            except PermissionDenied:
                continue
            possibles.append(role)
    return possibles


def _verrouiller_a_signer(livrable) -> Livrable:
    livrable = Livrable.objects.select_for_update().select_related("prestation").get(pk=livrable.pk)
    if livrable.etat != EtatLivrable.A_SIGNER:
        raise ActionRefusee(
            "Ce document n'est pas (ou plus) en attente de signature.",
            "EMA-02",
        )
    return livrable


def _enregistrer(livrable, *, role, methode, nom, texte, dessin, ip, user_agent, utilisateur, par, lettre, acteur):
    if livrable.signatures.filter(role=role).exists():
        raise ActionRefusee("Cette signature est déjà recueillie.", "EMA-02")
    signature = Signature.objects.create(
        livrable=livrable,
        role=role,
        methode=methode,
        signataire_nom=nom[:200],
        utilisateur=utilisateur,
        consentement=texte[:500],
        dessin=dessin,
        signe_le=timezone.now(),
        ip=ip or None,
        user_agent=(user_agent or "")[:500],
        empreinte_document=livrable.empreinte_a_signer,
        enregistree_par=par,
    )
    journaliser(
        TypeEvenement.SIGNATURE,
        acteur=acteur,
        ldc=lettre,
        message=f"{livrable.get_type_display()} (version {livrable.version}) signé par {signature.signataire_nom} "
        f"({signature.get_role_display().lower()}) : {signature.get_methode_display().lower()}.",
        livrable=livrable.pk,
        signature=signature.pk,
        empreinte=livrable.empreinte_a_signer,
    )
    figer_si_complet(livrable)
    return signature


def signer(acteur, livrable: Livrable, *, role: str, nom: str, accepte: bool, dessin: str = "", ip=None, user_agent=""):
    """A signature collected on the platform by a logged-in user: the bénéficiaire on the
    référent's screen (in person), or the user themself (référent, responsable)."""
    if role not in roles_signables_par(acteur, livrable):
        if role not in documents.SIGNATAIRES[livrable.type]:
            raise ValidationError({"role": "Ce document ne prévoit pas cette signature."})
        if livrable.etat != EtatLivrable.A_SIGNER:
            raise ActionRefusee("Ce document n'est pas (ou plus) en attente de signature.", "EMA-02")
        if livrable.signatures.filter(role=role).exists():
            raise ActionRefusee("Cette signature est déjà recueillie.", "EMA-02")
        raise PermissionDenied("Vous ne pouvez pas recueillir cette signature.")
    attendu = nom_attendu(livrable, role) if role != RoleSignataire.RESPONSABLE else _nom_utilisateur(acteur.user)
    nom = _valider_signataire(nom, attendu, accepte)
    dessin = _valider_dessin(dessin)
    methode = MethodeSignature.SUR_PLACE if role == RoleSignataire.BENEFICIAIRE else MethodeSignature.COMPTE
    with verrouiller(livrable.prestation) as verrouillee:
        livrable = _verrouiller_a_signer(livrable)
        return _enregistrer(
            livrable,
            role=role,
            methode=methode,
            nom=nom,
            texte=consentement(livrable),
            dessin=dessin,
            ip=ip,
            user_agent=user_agent,
            utilisateur=None if role == RoleSignataire.BENEFICIAIRE else acteur.user,
            par=acteur.user,
            lettre=verrouillee.lettre_de_commande,
            acteur=acteur,
        )


def deposer_scan(acteur, livrable: Livrable, fichier) -> Livrable:
    """The document signed on paper (no e-mail, or the bénéficiaire prefers paper): the scan
    counts for every missing signature, marked as such, with who deposited it and when."""
    verifier_auteur(acteur, livrable)
    contenu = lire_fichier(fichier, champ="scan", types=("pdf", "png", "jpeg"))
    empreinte_scan = hashlib.sha256(contenu).hexdigest()
    ecrit = None
    try:
        with transaction.atomic(durable=True), verrouiller(livrable.prestation) as verrouillee:
            livrable = _verrouiller_a_signer(livrable)
            livrable.scan.save("scan.pdf", ContentFile(contenu), save=False)
            ecrit = livrable.scan.name
            livrable.save()
            deja = {s.role for s in livrable.signatures.all()}
            for role in documents.SIGNATAIRES[livrable.type]:
                if role in deja:
                    continue
                Signature.objects.create(
                    livrable=livrable,
                    role=role,
                    methode=MethodeSignature.PAPIER,
                    signataire_nom=(nom_attendu(livrable, role) or RoleSignataire(role).label)[:200],
                    consentement=f"Signé sur papier ; scan déposé par {acteur.user} (SHA-256 {empreinte_scan}).",
                    signe_le=timezone.now(),
                    empreinte_document=livrable.empreinte_a_signer,
                    enregistree_par=acteur.user,
                )
            journaliser(
                TypeEvenement.SIGNATURE,
                acteur=acteur,
                ldc=verrouillee.lettre_de_commande,
                message=f"{livrable.get_type_display()} (version {livrable.version}) signé sur papier : scan déposé "
                f"par {acteur.user}.",
                livrable=livrable.pk,
                scan=empreinte_scan,
            )
            figer_si_complet(livrable)
    except BaseException:
        if ecrit:
            livrable.scan.storage.delete(ecrit)
        raise
    return livrable


# --- Remote: the e-mail link and its one-time code ---------------------------------------


def _hache(texte: str) -> str:
    return hashlib.sha256(texte.encode()).hexdigest()


def _hache_code(jeton: str, code: str) -> str:
    return _hache(f"{jeton}:{code}")


def envoyer_lien(
    acteur, prestation: Prestation, *, livrable: Livrable | None = None, entretien: Entretien | None = None
):
    """E-mail the bénéficiaire a link and a one-time code to sign ``livrable`` (its
    bénéficiaire signature) or confirm attendance at ``entretien``. Returns the link row."""
    verifier_acteur_prestataire(acteur, prestation)
    beneficiaire = prestation.lettre_de_commande.beneficiaire
    if not beneficiaire.email:
        raise ActionRefusee(
            "Le bénéficiaire n'a pas d'adresse e-mail : faites signer sur place ou déposez le scan signé sur papier.",
            "EMA-01",
        )
    jeton = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(10**6):06d}"
    with verrouiller(prestation) as verrouillee:
        if livrable is not None:
            livrable = _verrouiller_a_signer(livrable)
            if livrable.prestation_id != prestation.pk:
                raise PermissionDenied("Ce document n'appartient pas à ce dossier.")
            if RoleSignataire.BENEFICIAIRE not in documents.SIGNATAIRES[livrable.type]:
                raise ActionRefusee("Ce document n'est pas signé par le bénéficiaire.", "EMA-02")
            if livrable.signatures.filter(role=RoleSignataire.BENEFICIAIRE).exists():
                raise ActionRefusee("Le bénéficiaire a déjà signé ce document.", "EMA-02")
            objet = f"signer le document « {livrable.get_type_display()} » (version {livrable.version})"
        else:
            entretien = Entretien.objects.get(pk=entretien.pk)
            verifier_emargement(acteur, verrouillee, entretien)
            objet = f"confirmer votre présence à l'entretien du {timezone.localtime(entretien.debut):%d/%m/%Y à %H:%M}"
        lien = LienSignature.objects.create(
            prestation=verrouillee,
            livrable=livrable,
            entretien=entretien,
            role=RoleSignataire.BENEFICIAIRE,
            signataire_nom=f"{beneficiaire.prenom} {beneficiaire.nom}",
            adresse=beneficiaire.email,
            jeton_empreinte=_hache(jeton),
            code_empreinte=_hache_code(jeton, code),
            expire_le=timezone.now() + datetime.timedelta(hours=settings.LIEN_SIGNATURE_HEURES),
            envoye_par=acteur.user,
        )
        organisation = verrouillee.lettre_de_commande.marche.prestataire
        notifier(
            [beneficiaire.email],
            cle=f"lien-signature:{lien.pk}",
            organisation=organisation,
            sujet=f"{organisation.nom} : {objet[0].upper()}{objet[1:]}",
            corps=f"Bonjour {beneficiaire.prenom} {beneficiaire.nom},\n\n{organisation.nom} vous invite à {objet}.\n"
            f"Ouvrez le lien ci-dessous et saisissez ce code à usage unique : {code}\n"
            f"Le lien est valable jusqu'au {timezone.localtime(lien.expire_le):%d/%m/%Y à %H:%M} "
            "et ne sert qu'une fois.",
            lien=reverse("livrables:signature_distance", args=[jeton]),
        )
        journaliser(
            TypeEvenement.SIGNATURE if livrable else TypeEvenement.EMARGEMENT,
            acteur=acteur,
            ldc=verrouillee.lettre_de_commande,
            message=f"Lien envoyé à {beneficiaire.email} pour {objet}.",
            lien=lien.pk,
        )
    return lien


class LienRefuse(Exception):
    """A link that cannot be used: unknown, expired, already used or closed."""

    def __init__(self, message: str, raison: str):
        super().__init__(message)
        self.message = message
        self.raison = raison


def lien_utilisable(jeton: str) -> LienSignature:
    """The link of ``jeton`` if it may still be used (``LienRefuse`` otherwise)."""
    lien = (
        LienSignature.objects.select_related(
            "prestation__lettre_de_commande__marche__prestataire", "livrable", "entretien"
        )
        .filter(jeton_empreinte=_hache(jeton or ""))
        .first()
    )
    if lien is None:
        raise LienRefuse("Ce lien de signature n'existe pas. Vérifiez l'adresse reçue par e-mail.", "inconnu")
    if lien.utilise_le is not None:
        raise LienRefuse(
            f"Ce lien a déjà été utilisé, le {timezone.localtime(lien.utilise_le):%d/%m/%Y à %H:%M} : "
            "il ne sert qu'une fois. Si vous n'en êtes pas à l'origine, prévenez votre référent.",
            "utilise",
        )
    if lien.tentatives >= TENTATIVES_MAX:
        raise LienRefuse(
            "Ce lien est bloqué après plusieurs codes erronés. Demandez un nouveau lien à votre référent.", "bloque"
        )
    if lien.expire_le <= timezone.now():
        raise LienRefuse(
            f"Ce lien a expiré le {timezone.localtime(lien.expire_le):%d/%m/%Y à %H:%M}. "
            "Demandez un nouveau lien à votre référent.",
            "expire",
        )
    if lien.livrable_id and lien.livrable.etat != EtatLivrable.A_SIGNER:
        raise LienRefuse("Ce document n'est plus en attente de signature : demandez à votre référent.", "clos")
    return lien


def utiliser_lien(jeton: str, *, code: str, nom: str, accepte: bool, dessin: str = "", ip=None, user_agent=""):
    """Sign (or confirm attendance) with the link and its code, once. A wrong code counts
    (``TENTATIVES_MAX`` close the link) and is a field error; the link is locked while it
    is used, so two submissions sign once."""
    lien = lien_utilisable(jeton)
    code = "".join((code or "").split())
    if not code:
        raise ValidationError({"code": "Saisissez le code reçu par e-mail."})
    nom = _valider_signataire(nom, lien.signataire_nom, accepte)
    dessin = _valider_dessin(dessin)
    if _hache_code(jeton, code) != lien.code_empreinte:
        with transaction.atomic():
            LienSignature.objects.filter(pk=lien.pk).update(tentatives=lien.tentatives + 1)
        restant = TENTATIVES_MAX - lien.tentatives - 1
        raise ValidationError(
            {
                "code": f"Code erroné. Il vous reste {restant} essai{'s' if restant > 1 else ''}."
                if restant > 0
                else "Code erroné : le lien est maintenant bloqué. Demandez un nouveau lien à votre référent."
            }
        )
    if lien.entretien_id:
        with transaction.atomic():
            verrou = LienSignature.objects.select_for_update().get(pk=lien.pk)
            lien_utilisable(jeton)  # again, under the lock
            preuve = emarger(
                None,
                Prestation.objects.get(pk=lien.prestation_id),
                lien.entretien,
                methode=MethodeEmargement.A_DISTANCE,
                signataire_nom=nom,
                consentement=CONSENTEMENT_EMARGEMENT,
                dessin=dessin,
                ip=ip,
                user_agent=user_agent,
            )
            verrou.utilise_le = timezone.now()
            verrou.save(update_fields=["utilise_le"])
        return preuve
    with verrouiller(Prestation.objects.get(pk=lien.prestation_id)) as verrouillee:
        verrou = LienSignature.objects.select_for_update().get(pk=lien.pk)
        lien_utilisable(jeton)
        livrable = _verrouiller_a_signer(lien.livrable)
        signature = _enregistrer(
            livrable,
            role=RoleSignataire.BENEFICIAIRE,
            methode=MethodeSignature.A_DISTANCE,
            nom=nom,
            texte=consentement(livrable),
            dessin=dessin,
            ip=ip,
            user_agent=user_agent,
            utilisateur=None,
            par=None,
            lettre=verrouillee.lettre_de_commande,
            acteur=None,
        )
        verrou.utilise_le = timezone.now()
        verrou.save(update_fields=["utilise_le"])
    return signature


def emarger_sur_place(
    acteur, prestation, entretien, *, nom: str, accepte: bool, dessin: str = "", ip=None, user_agent=""
):
    """EMA-01 in person: the bénéficiaire types their name on the référent's screen and ticks
    the attendance statement; a drawing may be added."""
    verifier_acteur_prestataire(acteur, prestation)  # a role that may not act: 403 before anything
    beneficiaire = prestation.lettre_de_commande.beneficiaire
    nom = _valider_signataire(nom, f"{beneficiaire.prenom} {beneficiaire.nom}", accepte)
    return emarger(
        acteur,
        prestation,
        entretien,
        methode=MethodeEmargement.SUR_PLACE,
        signataire_nom=nom,
        consentement=CONSENTEMENT_EMARGEMENT,
        dessin=_valider_dessin(dessin),
        ip=ip,
        user_agent=user_agent,
    )


def emarger_sur_papier(acteur, prestation, entretien, fichier):
    """EMA-01 on paper: the scan of the signed sheet, deposited by the référent."""
    verifier_acteur_prestataire(acteur, prestation)
    contenu = lire_fichier(fichier, champ="scan", types=("pdf", "png", "jpeg"))
    beneficiaire = prestation.lettre_de_commande.beneficiaire
    return emarger(
        acteur,
        prestation,
        entretien,
        methode=MethodeEmargement.PAPIER,
        signataire_nom=f"{beneficiaire.prenom} {beneficiaire.nom}",
        consentement=f"Feuille papier signée ; scan déposé par {acteur.user}.",
        scan=ContentFile(contenu),
        scan_empreinte=hashlib.sha256(contenu).hexdigest(),
    )
