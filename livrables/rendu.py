"""Rendering the documents to PDF with WeasyPrint (LIV-05).

One template per kind under ``templates/livrables/pdf/`` extends ``base.html`` (header
with the parties, title, reference and QR code, footer with page numbers, signature
block) and shares the print stylesheet ``impression.css``. Templates are rendered by an
engine of their own whose undefined variables raise (``Strict``): a document with a
blank where a fact should be is never produced.

Three renderings of one version:

- ``apercu``: the draft as it stands, on request (not stored);
- ``a_signer``: the document submitted for signature, stored; each signature records
  its SHA-256;
- ``final``: once signed, PDF/A-3b (``pdf_variant``) tagged for accessibility
  (``pdf_tags``), with the signatures and the seal statement, sealed next
  (``livrables.sceau``) and stored byte for byte. A paper scan is embedded as an
  attachment (PDF/A-3 allows it).
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

from django.conf import settings
from django.template import Context, Engine
from django.utils import timezone

from livrables import documents

FEUILLE = "livrables/pdf/feuille_emargement.html"


class Strict(str):
    """``string_if_invalid`` of the PDF engine: an undefined variable raises."""

    def __contains__(self, item):
        return item == "%s"

    def __mod__(self, variable):
        raise VariableIndefinie(f"Variable indéfinie dans un gabarit PDF : « {variable} ».")


class VariableIndefinie(Exception):
    pass


@lru_cache(maxsize=1)
def moteur() -> Engine:
    return Engine(
        dirs=[str(settings.BASE_DIR / "templates")],
        app_dirs=False,
        string_if_invalid=Strict("%s"),
        libraries={},
    )


def rendre_html(gabarit: str, contexte: dict) -> str:
    return moteur().get_template(gabarit).render(Context(contexte, autoescape=True))


def url_verification(reference: str) -> str:
    return f"{settings.SITE_URL}/verification/{reference}/"


def qr_code(url: str) -> str:
    """The verification address as a QR code (SVG data URI)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def vers_pdf(html: str, *, pdfa: bool, pieces_jointes=()) -> bytes:
    """WeasyPrint alone (the benchmark's reference): PDF/A-3b tagged when ``pdfa``."""
    from weasyprint import HTML

    options = {"pdf_variant": "pdf/a-3b", "pdf_tags": True} if pdfa else {}
    if pieces_jointes:
        options["attachments"] = list(pieces_jointes)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(**options)


def niveau_de_signature(livrable, signatures, organisation_sceau: str, horodate: bool) -> str:
    """The signature level, in words, as the document states it."""
    if livrable.sans_signature:
        debut = "Document transmis sans signature des parties, en application de LIV-03 (interruption)"
    elif any(s.methode == "papier" for s in signatures):
        debut = "Signé sur papier (scan joint au document) et enregistré"
    else:
        debut = (
            "Signature électronique simple de chaque signataire (nom saisi et consentement exprimé, horodatés et "
            "liés à l'empreinte SHA-256 du document signé)"
        )
    fin = f", scellé par {organisation_sceau} au moyen d'un cachet électronique PAdES"
    if horodate:
        fin += " horodaté par un serveur d'horodatage (RFC 3161)"
    return debut + fin + "."


def contexte(livrable, *, mode: str, signatures=(), niveau: str = "") -> dict:
    """What a kind's template reads."""
    reference = livrable.reference or "—"
    url = url_verification(livrable.reference) if livrable.reference else ""
    return {
        "mode": mode,
        "document": {
            "type": livrable.type,
            "titre": documents.libelle(livrable.type),
            "version": livrable.version,
            "reference": reference,
            "regles": ", ".join(documents.REGLES.get(livrable.type, ())),
            "motif_correction": livrable.motif_correction,
        },
        "dossier": livrable.contenu.get("dossier", {}),
        "rubriques": livrable.contenu.get("rubriques", []),
        "signataires": [
            {"role": role, "libelle": _LIBELLES_ROLES[role]} for role in documents.SIGNATAIRES[livrable.type]
        ],
        "signatures": [
            {
                "role": s.get_role_display(),
                "nom": s.signataire_nom,
                "methode": s.get_methode_display(),
                "le": f"{timezone.localtime(s.signe_le):%d/%m/%Y à %H:%M:%S}",
                "empreinte": s.empreinte_document,
                "dessin": s.dessin,
            }
            for s in signatures
        ],
        "empreinte_a_signer": livrable.empreinte_a_signer,
        "niveau": niveau,
        "verification": {"url": url, "qr": qr_code(url) if url else ""},
        "rendu_le": f"{timezone.localtime():%d/%m/%Y à %H:%M}",
    }


_LIBELLES_ROLES = {
    "beneficiaire": "Le bénéficiaire",
    "referent": "Le référent",
    "responsable": "Le responsable du prestataire",
}


def gabarit(type_: str) -> str:
    return f"livrables/pdf/{type_}.html"


def apercu(livrable) -> bytes:
    return vers_pdf(rendre_html(gabarit(livrable.type), contexte(livrable, mode="apercu")), pdfa=False)


def a_signer(livrable) -> bytes:
    return vers_pdf(rendre_html(gabarit(livrable.type), contexte(livrable, mode="a_signer")), pdfa=False)


def final(livrable, signatures, *, organisation_sceau: str, horodate: bool, scan: bytes | None = None) -> bytes:
    """The final document, PDF/A-3b, ready to seal."""
    niveau = niveau_de_signature(livrable, signatures, organisation_sceau, horodate)
    html = rendre_html(gabarit(livrable.type), contexte(livrable, mode="final", signatures=signatures, niveau=niveau))
    pieces = [_piece_jointe(scan)] if scan else []
    return vers_pdf(html, pdfa=True, pieces_jointes=pieces)


def _piece_jointe(scan: bytes):
    from weasyprint import Attachment

    return Attachment(
        file_obj=io.BytesIO(scan),
        name="scan-signe-sur-papier.pdf",
        description=f"Scan signé sur papier (SHA-256 {hashlib.sha256(scan).hexdigest()})",
        relationship="Source",
    )


def feuille_html(prestation, lignes, *, du, au, chaine, reference: str = "") -> str:
    """The feuille d'émargement of a period, standalone (EMA-01)."""
    from livrables.contenu import instantane

    url = url_verification(reference) if reference else ""
    return rendre_html(
        FEUILLE,
        {
            "mode": "final",
            "document": {
                "type": "feuille_emargement",
                "titre": "Feuille d'émargement",
                "version": 1,
                "reference": reference or "—",
                "regles": "EMA-01, EMA-02",
                "motif_correction": "",
            },
            "dossier": {**instantane(prestation, "feuille"), "feuille": lignes},
            "rubriques": [],
            "signataires": [],
            "signatures": [],
            "empreinte_a_signer": "",
            "niveau": "",
            "periode": {"du": f"{du:%d/%m/%Y}" if du else "", "au": f"{au:%d/%m/%Y}" if au else ""},
            "chaine": {
                "intacte": chaine.intacte,
                "nombre": chaine.nombre,
                "derniere": chaine.derniere,
                "anomalies": chaine.anomalies,
            },
            "verification": {"url": url, "qr": qr_code(url) if url else ""},
            "rendu_le": f"{timezone.localtime():%d/%m/%Y à %H:%M}",
        },
    )
