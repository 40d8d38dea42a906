"""The transmission of a version to the prescripteur (LIV-05): the version's state and time
(which the deadlines read), the journal, the notice with the download link; the
bénéficiaire's copy of the bilan final by an e-mail link (LIV-02)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from comptes.notifications import notifier
from livrables import documents
from livrables.models import EtatLivrable, Livrable
from prestations.journal import journaliser
from prestations.models import TypeEvenement

#: The bénéficiaire's download link of the bilan final (LIV-02), in seconds.
VALIDITE_COPIE = 30 * 24 * 3600
SEL_COPIE = "livrables.copie"


def transmettre_maintenant(acteur, livrable: Livrable, prestation) -> None:
    """Inside the caller's case lock: the version is transmitted now."""
    livrable.transmettre(timezone.now(), acteur.user if acteur else None)
    livrable.save()
    ldc = prestation.lettre_de_commande
    libelle = livrable.get_type_display()
    if livrable.type == documents.LETTRE_DE_COMMANDE:
        signataire = next((s.signataire_nom for s in livrable.signatures.all()), "")
        message = f"Lettre de commande acceptée et signée par {signataire} (PAY-01)."
        corps = (
            f"{ldc.marche.prestataire.nom} accepte la lettre de commande {ldc.numero} : "
            "le document signé est joint au dossier."
        )
    else:
        message = f"{libelle} (version {livrable.version}) transmis au prescripteur (LIV-05)."
        corps = (
            f"{ldc.marche.prestataire.nom} vous transmet le document « {libelle} » (version {livrable.version}) "
            f"de {ldc.beneficiaire.prenom} {ldc.beneficiaire.nom}."
        )
    journaliser(
        TypeEvenement.LIVRABLE,
        acteur=acteur,
        ldc=ldc,
        message=message,
        livrable=livrable.pk,
        empreinte=livrable.empreinte,
    )
    notifier(
        [ldc.prescripteur],
        cle=f"livrable:{livrable.pk}",
        organisation=ldc.organisation_prescriptrice,
        sujet=f"{libelle} transmis — {ldc.numero}",
        corps=corps,
        lien=reverse("livrables:telecharger", args=[livrable.pk]),
    )
    if livrable.type == "bilan_final":
        _copie_au_beneficiaire(acteur, livrable, ldc)


def lien_de_copie(livrable: Livrable) -> str:
    return reverse("livrables:copie", args=[signing.dumps(livrable.pk, salt=SEL_COPIE)])


def _copie_au_beneficiaire(acteur, livrable, ldc) -> None:
    """LIV-02: one copy of the bilan final to the bénéficiaire, by an e-mail link."""
    beneficiaire = ldc.beneficiaire
    if not beneficiaire.email:
        journaliser(
            TypeEvenement.LIVRABLE,
            acteur=acteur,
            ldc=ldc,
            message="Bilan final : le bénéficiaire n'a pas d'adresse e-mail, "
            "sa copie lui est remise en main propre (LIV-02).",
            livrable=livrable.pk,
        )
        return
    notifier(
        [beneficiaire.email],
        cle=f"livrable:{livrable.pk}:copie",
        organisation=ldc.marche.prestataire,
        sujet=f"Votre bilan final — {ldc.marche.prestataire.nom}",
        corps=f"Bonjour {beneficiaire.prenom} {beneficiaire.nom},\n\nVoici votre exemplaire du bilan final de votre "
        f"accompagnement ({ldc.regle.nom}). Le lien ci-dessous permet de le télécharger pendant 30 jours.",
        lien=lien_de_copie(livrable),
    )
    journaliser(
        TypeEvenement.LIVRABLE,
        acteur=acteur,
        ldc=ldc,
        message=f"Bilan final : copie envoyée au bénéficiaire ({beneficiaire.email}) (LIV-02).",
        livrable=livrable.pk,
    )


def livrable_de_la_copie(jeton: str) -> Livrable | None:
    try:
        pk = signing.loads(jeton, salt=SEL_COPIE, max_age=VALIDITE_COPIE)
    except signing.BadSignature:
        return None
    return Livrable.objects.filter(pk=pk, etat=EtatLivrable.TRANSMIS).first()
