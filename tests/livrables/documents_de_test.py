"""Helpers of the documents' tests: a case at the point where each kind is due, a version
signed by everyone it needs, and what a PDF says (text, pages, PDF/A identification)."""

from __future__ import annotations

import datetime
import io
import subprocess
from pathlib import Path

from livrables import documents, services, signature
from livrables.models import Livrable
from livrables.scellement import sceller

J = datetime.date(2026, 11, 24)  # the day after the start: contractualisation


def jour(n: int) -> datetime.date:
    return J + datetime.timedelta(days=n)


def dossier_pour(fabrique, type_: str):
    """A case of the dispositif whose rule set asks for ``type_``, at the phase where it is due."""
    f = fabrique
    if type_ in ("contrat_accompagnement", "lettre_de_commande"):
        return f.dossier("MOV")
    if type_ == "bilan_intermediaire":
        p = f.dossier("MOV")
        p = f.semaines(p, 8)
        return f.periode(p, jour(42), jour(53))
    if type_ == "bilan_final":
        p = f.dossier("MOV")
        p = f.semaines(p, 8)
        p = f.phase_suivante(p)
        p = f.periode(p, jour(63), jour(76))
        p = f.semaines(p, 4, depuis=jour(84))
        f.action(p, libelle="Candidature chez Transports Allier Express", date_debut=jour(120), statut="prevue")
        return f.recharger(p)
    if type_ == "synthese_bilan_competences":
        p = f.dossier("BCA")
        p = f.entretien(p, jour(3))
        p = f.phase_suivante(p)
        p = f.entretien(p, jour(10))
        return f.phase_suivante(p)
    if type_ == "rapport_positionnement_initial":
        return f.dossier("BAM")
    if type_ in ("carnet_de_suivi", "rapport_positionnement_final"):
        p = f.phase_suivante(f.dossier("BAM"))
        f.action(
            p,
            nature="service_payant",
            libelle="Location d'un scooter",
            cout="120.00",
            aides_mobilisables="Aide à la mobilité France Travail",
            date_debut=jour(10),
        )
        f.action(p, nature="atelier", libelle="Atelier code de la route", date_debut=jour(5), statut="realisee")
        p = f.entretien(p, jour(7))
        p = f.entretien(p, jour(14))
        return f.phase_suivante(p) if type_ == "rapport_positionnement_final" else p
    if type_ == "diagnostic_mobilite":
        return f.phase_suivante(f.dossier("PMA"))
    if type_ == "bilan_parcours_mobilite":
        p = f.phase_suivante(f.dossier("PMA"))
        p = f.entretien(p, jour(7))
        return f.phase_suivante(p)
    if type_ == "fiche_niveau_1":
        return f.dossier("CEP")
    if type_ == "document_synthese":
        p = f.dossier("CEP", phase="niveau_2")
        f.action(p, nature="etape", libelle="Valider le projet de reconversion", date_debut=jour(14))
        f.action(p, nature="financement", libelle="CPF et abondement de la région", date_debut=jour(30))
        return f.entretien(p, jour(7))
    raise ValueError(type_)


def textes(type_: str) -> list[str]:
    return [f"Rubrique {i + 1} rédigée pour le test : {titre}." for i, titre in enumerate(documents.rubriques(type_))]


def signer_tout(fabrique, livrable: Livrable) -> Livrable:
    """Every signature the kind needs: the bénéficiaire on the référent's screen, the référent
    and the responsable from their accounts."""
    for role in documents.SIGNATAIRES[livrable.type]:
        livrable = Livrable.objects.get(pk=livrable.pk)
        if role == "responsable":
            acteur, nom = fabrique.responsable, str(fabrique.monde.responsable.user)
        elif role == "referent":
            acteur, nom = fabrique.referent, str(fabrique.monde.referent.user)
        else:
            acteur, nom = fabrique.referent, "Jeanne Girard"
        signature.signer(acteur, livrable, role=role, nom=nom, accepte=True, ip="192.0.2.10", user_agent="pytest")
    return Livrable.objects.get(pk=livrable.pk)


def document_signe(fabrique, type_: str, prestation=None) -> Livrable:
    """A version of ``type_`` drafted, submitted, signed by everyone and sealed."""
    p = prestation or dossier_pour(fabrique, type_)
    auteur = fabrique.responsable if type_ == documents.LETTRE_DE_COMMANDE else fabrique.referent
    livrable = services.rediger(auteur, fabrique.recharger(p), type_)
    livrable = services.soumettre(auteur, livrable, textes(type_))
    livrable = signer_tout(fabrique, livrable)
    return sceller(livrable.pk)


def lire(livrable: Livrable) -> bytes:
    with livrable.fichier.open("rb") as f:
        return f.read()


def texte_pdf(pdf: bytes) -> str:
    resultat = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(resultat.stdout.decode().split())


def pages(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def identification_pdfa(pdf: bytes) -> tuple[str, str]:
    """``(part, conformance)`` of the PDF/A identification in the XMP metadata."""
    import re

    import pypdf

    xmp = pypdf.PdfReader(io.BytesIO(pdf)).xmp_metadata
    xml = xmp.rdf_root.toxml() if xmp else ""
    part = re.search(r'pdfaid:part="([^"]*)"|<pdfaid:part>([^<]*)<', xml)
    conformance = re.search(r'pdfaid:conformance="([^"]*)"|<pdfaid:conformance>([^<]*)<', xml)
    return (
        next((g for g in part.groups() if g), "") if part else "",
        next((g for g in conformance.groups() if g), "") if conformance else "",
    )


def capture(pdf: bytes, dossier: Path, nom: str) -> Path:
    """Page 1 as a PNG (pdftoppm), for review."""
    dossier.mkdir(parents=True, exist_ok=True)
    racine = dossier / nom
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-", str(racine)], input=pdf, check=True
    )
    return racine.with_suffix(".png")
