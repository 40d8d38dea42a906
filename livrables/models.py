"""Documents of a case (LIV-01..05, MOV-05, PAY-01), their signatures and the attendance
proofs (EMA-01, EMA-02).

- ``Livrable``: one version of a document of a kind (``livrables.documents.TYPES``):
  drafted on the platform from the case data (``contenu``), rendered to PDF, signed,
  sealed and frozen, transmitted; or deposited as a scan signed on paper. State machine:
  brouillon → à signer → signé → transmis (a superseded unfinished version is
  *remplacé*). A correction is a new version; a signed version is never edited: the
  database refuses it (trigger ``livrable_fige``), whatever the path.
- ``Signature``: who signed which version, as what, how, when, from where, and the
  SHA-256 of the exact document signed. Append-only (trigger).
- ``LienSignature``: the e-mail link sent to a bénéficiaire (no account) to sign a
  document or confirm attendance remotely: a token and a one-time code (stored hashed),
  an expiry, single use.
- ``Emargement``: the attendance proof of one entretien (individual, or one participant
  of a group session); the proofs of a case form a hash chain (each stores the previous
  one's hash), append-only (trigger).
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from comptes.models import Role
from livrables.documents import TYPES
from prestations.models import Entretien, Prestation
from prestations.models.version import declencheur_des_faits


def _chemin(instance, nom):
    return f"livrables/{instance.prestation_id}/{instance.type}-v{instance.version}.pdf"


def _chemin_a_signer(instance, nom):
    return f"livrables/{instance.prestation_id}/{instance.type}-v{instance.version}-a-signer.pdf"


def _chemin_scan(instance, nom):
    return f"livrables/{instance.prestation_id}/{instance.type}-v{instance.version}-scan-papier.pdf"


def _chemin_scan_emargement(instance, nom):
    return f"emargements/{instance.prestation_id}/entretien-{instance.entretien_id}.pdf"


class LivrableQuerySet(models.QuerySet):
    def visible_par(self, acteur):
        """The documents of the cases the acteur sees; the prescripteur receives documents, so
        sees those transmitted to them, never the prestataire's drafts."""
        documents = self.filter(prestation__in=Prestation.objects.visible_par(acteur))
        if acteur is not None and acteur.role == Role.PRESCRIPTEUR:
            documents = documents.filter(etat=EtatLivrable.TRANSMIS)
        return documents


class EtatLivrable(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    A_SIGNER = "a_signer", "À signer"
    SIGNE = "signe", "Signé"
    TRANSMIS = "transmis", "Transmis"
    REMPLACE = "remplace", "Remplacé par une version suivante"


#: States of a frozen version: its content, file and hash never change again (EMA-02).
ETATS_FIGES = (EtatLivrable.SIGNE, EtatLivrable.TRANSMIS)


class Origine(models.TextChoices):
    PLATEFORME = "plateforme", "Rédigé sur la plateforme"
    DEPOT = "depot", "Déposé signé sur papier"


#: EMA-02 in the database: a frozen version refuses any change but its transmission and
#: the storing of its sealed file (once), and refuses deletion.
FIGE = """
    IF TG_OP = 'DELETE' THEN
        IF OLD.etat IN ('signe', 'transmis') THEN
            RAISE EXCEPTION 'Document signé : il ne peut pas être supprimé (EMA-02).' USING ERRCODE = 'P0001';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.etat IN ('signe', 'transmis') AND (
        NEW.prestation_id IS DISTINCT FROM OLD.prestation_id OR NEW.type IS DISTINCT FROM OLD.type
        OR NEW.version IS DISTINCT FROM OLD.version OR NEW.contenu IS DISTINCT FROM OLD.contenu
        OR NEW.reference IS DISTINCT FROM OLD.reference OR NEW.origine IS DISTINCT FROM OLD.origine
        OR NEW.fichier_a_signer IS DISTINCT FROM OLD.fichier_a_signer
        OR NEW.empreinte_a_signer IS DISTINCT FROM OLD.empreinte_a_signer
        OR NEW.etat NOT IN ('signe', 'transmis') OR (OLD.etat = 'transmis' AND NEW.etat <> 'transmis')
        OR (OLD.fichier <> '' AND (NEW.fichier IS DISTINCT FROM OLD.fichier
            OR NEW.empreinte IS DISTINCT FROM OLD.empreinte OR NEW.taille IS DISTINCT FROM OLD.taille
            OR NEW.scelle_le IS DISTINCT FROM OLD.scelle_le))
        OR (OLD.transmis_le IS NOT NULL AND NEW.transmis_le IS DISTINCT FROM OLD.transmis_le)
    ) THEN
        RAISE EXCEPTION 'Document signé : il ne peut plus être modifié ; corriger = nouvelle version (EMA-02).'
            USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
"""


class Livrable(FSMModelMixin, models.Model):
    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="livrables")
    type = models.CharField("document", max_length=40, choices=sorted(TYPES.items(), key=lambda c: c[1]))
    version = models.PositiveSmallIntegerField("version", default=1)
    etat = FSMField("état", max_length=20, choices=EtatLivrable.choices, default=EtatLivrable.BROUILLON, protected=True)
    origine = models.CharField("origine", max_length=20, choices=Origine.choices, default=Origine.PLATEFORME)
    #: Printed on the document with its QR code; the verification page finds it by it.
    reference = models.CharField("référence", max_length=24, unique=True, null=True, blank=True)
    #: The document's content: the sections written by the référent and the snapshot of the
    #: case the document shows (``livrables.contenu``), frozen once submitted for signature.
    contenu = models.JSONField("contenu", default=dict, blank=True)
    cree_le = models.DateTimeField("rédigé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="rédigé ou déposé par",
    )
    motif_correction = models.CharField("motif de la correction", max_length=300, blank=True)
    # The document submitted for signature: what every signature's hash refers to.
    fichier_a_signer = models.FileField("document à signer", upload_to=_chemin_a_signer, blank=True)
    empreinte_a_signer = models.CharField("empreinte SHA-256 du document à signer", max_length=64, blank=True)
    a_signer_le = models.DateTimeField("soumis à la signature le", null=True, blank=True)
    # A scan signed on paper (of a version drafted here, or deposited as it is).
    scan = models.FileField("scan signé sur papier", upload_to=_chemin_scan, blank=True)
    # The final document: PDF/A sealed by the platform (or the deposited scan), stored as is.
    fichier = models.FileField("fichier PDF", upload_to=_chemin, blank=True)
    nom_original = models.CharField("nom du fichier déposé", max_length=200, blank=True)
    taille = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    empreinte = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    scelle_le = models.DateTimeField("scellé le", null=True, blank=True)
    horodate = models.BooleanField("horodatage RFC 3161", default=False)
    sans_signature = models.BooleanField(
        "transmis sans signature (LIV-03)", default=False, help_text="Interruption : transmis signé ou non (LIV-03)."
    )
    transmis_le = models.DateTimeField("transmis le", null=True, blank=True)
    transmis_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = LivrableQuerySet.as_manager()

    class Meta:
        verbose_name = "livrable"
        ordering = ["type", "-version"]
        triggers = [
            declencheur_des_faits(),
            pgtrigger.Trigger(
                name="livrable_fige",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=FIGE,
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["prestation", "type", "version"], name="livrable_version_unique"),
            models.CheckConstraint(
                condition=~Q(etat="transmis") | Q(transmis_le__isnull=False), name="livrable_transmis_date"
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} (v{self.version})"

    @property
    def est_fige(self) -> bool:
        return self.etat in ETATS_FIGES

    @property
    def est_pret(self) -> bool:
        """The final file is there (sealed, or the deposited scan)."""
        return bool(self.fichier)

    # --- Transitions (called by livrables.services only) ---

    @transition(field=etat, source=EtatLivrable.BROUILLON, target=EtatLivrable.A_SIGNER)
    def soumettre(self, le):
        self.a_signer_le = le

    @transition(field=etat, source=EtatLivrable.A_SIGNER, target=EtatLivrable.BROUILLON)
    def reprendre(self):
        self.a_signer_le = None
        self.fichier_a_signer = ""
        self.empreinte_a_signer = ""

    @transition(field=etat, source=EtatLivrable.A_SIGNER, target=EtatLivrable.SIGNE)
    def signer(self):
        """Every required signature is there: the version is frozen (EMA-02)."""

    @transition(field=etat, source=[EtatLivrable.BROUILLON, EtatLivrable.A_SIGNER], target=EtatLivrable.SIGNE)
    def figer_sans_signature(self):
        """LIV-03: on interruption, the deliverables of the phases done go signed or not."""
        self.sans_signature = True

    @transition(field=etat, source=EtatLivrable.SIGNE, target=EtatLivrable.TRANSMIS)
    def transmettre(self, le, par):
        self.transmis_le = le
        self.transmis_par = par

    @transition(field=etat, source=[EtatLivrable.BROUILLON, EtatLivrable.A_SIGNER], target=EtatLivrable.REMPLACE)
    def remplacer(self):
        """An unfinished version superseded by a correction: its signature links die."""


class RoleSignataire(models.TextChoices):
    BENEFICIAIRE = "beneficiaire", "Bénéficiaire"
    REFERENT = "referent", "Référent"
    RESPONSABLE = "responsable", "Responsable du prestataire"


class MethodeSignature(models.TextChoices):
    SUR_PLACE = "sur_place", "En présence, sur l'écran du référent (nom saisi et consentement)"
    COMPTE = "compte", "Depuis son compte (nom saisi et consentement)"
    A_DISTANCE = "a_distance", "À distance (lien par e-mail et code à usage unique)"
    PAPIER = "papier", "Sur papier (scan déposé)"


APPEND_ONLY = """
    RAISE EXCEPTION 'Preuve enregistrée : elle ne peut être ni modifiée ni supprimée (EMA-02).' USING ERRCODE = 'P0001';
"""


class Signature(models.Model):
    """One signature of one version of a document (EMA-02): never changed, never removed."""

    livrable = models.ForeignKey(Livrable, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField("qualité", max_length=20, choices=RoleSignataire.choices)
    methode = models.CharField("méthode", max_length=20, choices=MethodeSignature.choices)
    signataire_nom = models.CharField("nom du signataire", max_length=200)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consentement = models.CharField("consentement exprimé", max_length=500)
    dessin = models.TextField("signature dessinée (PNG)", blank=True)
    signe_le = models.DateTimeField("signé le")
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=500, blank=True)
    empreinte_document = models.CharField("empreinte SHA-256 du document signé", max_length=64)
    enregistree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistrée par",
    )

    class Meta:
        verbose_name = "signature"
        ordering = ["signe_le", "pk"]
        triggers = [
            pgtrigger.Trigger(
                name="signature_inalterable",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=APPEND_ONLY,
            )
        ]
        constraints = [models.UniqueConstraint(fields=["livrable", "role"], name="signature_une_par_qualite")]

    def __str__(self):
        return f"{self.signataire_nom} ({self.get_role_display()}) le {self.signe_le:%d/%m/%Y %H:%M}"


class LienSignature(models.Model):
    """An e-mail link for a person without an account: sign a document (``livrable``) or
    confirm attendance at an entretien (``entretien``). The token and the code are stored
    as SHA-256 hashes; the link works once, until ``expire_le``."""

    prestation = models.ForeignKey(Prestation, on_delete=models.CASCADE, related_name="liens_signature")
    livrable = models.ForeignKey(Livrable, on_delete=models.CASCADE, null=True, blank=True, related_name="liens")
    entretien = models.ForeignKey(Entretien, on_delete=models.CASCADE, null=True, blank=True, related_name="liens")
    role = models.CharField("qualité", max_length=20, choices=RoleSignataire.choices, default="beneficiaire")
    signataire_nom = models.CharField("signataire attendu", max_length=200)
    adresse = models.EmailField("envoyé à")
    jeton_empreinte = models.CharField(max_length=64, unique=True)
    code_empreinte = models.CharField(max_length=64)
    cree_le = models.DateTimeField("envoyé le", auto_now_add=True)
    expire_le = models.DateTimeField("expire le")
    utilise_le = models.DateTimeField("utilisé le", null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField("codes erronés", default=0)
    envoye_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "lien de signature"
        verbose_name_plural = "liens de signature"
        ordering = ["-cree_le"]
        constraints = [
            models.CheckConstraint(
                condition=Q(livrable__isnull=True) ^ Q(entretien__isnull=True), name="lien_un_seul_objet"
            )
        ]

    def __str__(self):
        objet = self.livrable or self.entretien
        return f"Lien envoyé à {self.adresse} pour {objet}"


class MethodeEmargement(models.TextChoices):
    SUR_PLACE = "sur_place", "Signé sur place (nom saisi et consentement)"
    A_DISTANCE = "a_distance", "Confirmé par e-mail (lien et code à usage unique)"
    PAPIER = "papier", "Feuille papier signée (scan déposé)"


class Emargement(models.Model):
    """EMA-01: the attendance proof of one entretien. One chain per case: ``precedente`` is
    the previous proof's ``empreinte`` (64 zeros for the first), ``empreinte`` the SHA-256
    of this proof's canonical content with it (``livrables.emargement.empreinte``): a line
    altered or removed breaks the chain. Append-only (trigger)."""

    prestation = models.ForeignKey(Prestation, on_delete=models.PROTECT, related_name="emargements")
    entretien = models.OneToOneField(Entretien, on_delete=models.PROTECT, related_name="emargement")
    rang = models.PositiveIntegerField("rang dans la chaîne")
    methode = models.CharField("méthode", max_length=20, choices=MethodeEmargement.choices)
    signataire_nom = models.CharField("nom du signataire", max_length=200)
    consentement = models.CharField("déclaration", max_length=500, blank=True)
    dessin = models.TextField("signature dessinée (PNG)", blank=True)
    scan = models.FileField("feuille papier (scan)", upload_to=_chemin_scan_emargement, blank=True)
    scan_empreinte = models.CharField("empreinte du scan", max_length=64, blank=True)
    signe_le = models.DateTimeField("signé le")
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=500, blank=True)
    enregistre_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    precedente = models.CharField("empreinte précédente", max_length=64)
    empreinte = models.CharField("empreinte", max_length=64, unique=True)

    class Meta:
        verbose_name = "émargement"
        ordering = ["prestation", "rang"]
        triggers = [
            pgtrigger.Trigger(
                name="emargement_inalterable",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=APPEND_ONLY,
            )
        ]
        constraints = [models.UniqueConstraint(fields=["prestation", "rang"], name="emargement_rang_unique")]

    def __str__(self):
        return f"Émargement n° {self.rang} ({self.get_methode_display()})"
