"""The platform's seal (EMA-02): a PAdES signature with its certificate, made by pyHanko,
offline. When a timestamp server is configured (``SCEAU_HORODATAGE_URL``), the seal
carries an RFC 3161 timestamp, and a server that fails makes the sealing fail: a
document is never sealed without the timestamp it was promised.

``sceller(pdf)`` returns the sealed bytes (an incremental update: the PDF/A
identification of the original stays valid); ``verifier(pdf)`` tells whether a file
carries an intact seal of a trusted certificate (the platform's, or one listed in
``SCEAU_AUTORITES``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

CHAMP = "CachetPlateforme"


class SceauIndisponible(Exception):
    """The seal cannot be applied (certificate missing or unreadable, timestamp server down)."""


@dataclass(frozen=True)
class Sceau:
    signer: object
    certificats: tuple  # trusted certificates (asn1crypto), the seal's own first
    organisation: str
    nom: str


def _fichier(chemin: Path, quoi: str) -> Path:
    if not chemin.is_file():
        raise SceauIndisponible(
            f"{quoi} du cachet introuvable ({chemin}) : lancez « python manage.py sceau » en démonstration, "
            "ou renseignez SCEAU_CERTIFICAT et SCEAU_CLE."
        )
    return chemin


@lru_cache(maxsize=4)
def _charger(certificat: str, cle: str, mot_de_passe: str, autorites: str, _dates: tuple) -> Sceau:
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(cle, certificat, key_passphrase=mot_de_passe.encode() or None)
    if signer is None:
        raise SceauIndisponible("Clé ou certificat du cachet illisible.")
    fichiers = [certificat] + ([autorites] if autorites else [])
    certificats = tuple(load_certs_from_pemder(fichiers))
    sujet = signer.signing_cert.subject.native
    return Sceau(
        signer=signer,
        certificats=certificats,
        organisation=sujet.get("organization_name") or sujet.get("common_name", ""),
        nom=sujet.get("common_name", ""),
    )


def sceau() -> Sceau:
    """The configured seal, read once (and again when its files change)."""
    certificat = _fichier(Path(settings.SCEAU_CERTIFICAT), "Certificat")
    cle = _fichier(Path(settings.SCEAU_CLE), "Clé")
    autorites = settings.SCEAU_AUTORITES
    dates = (certificat.stat().st_mtime_ns, cle.stat().st_mtime_ns)
    return _charger(str(certificat), str(cle), settings.SCEAU_CLE_MOT_DE_PASSE, autorites, dates)


def sceller(pdf: bytes, *, raison: str) -> tuple[bytes, bool]:
    """The sealed PDF and whether it carries an RFC 3161 timestamp."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    cachet = sceau()
    horodateur = None
    if settings.SCEAU_HORODATAGE_URL:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        horodateur = HTTPTimeStamper(settings.SCEAU_HORODATAGE_URL, timeout=10)
    sortie = io.BytesIO()
    try:
        signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            signers.PdfSignatureMetadata(
                field_name=CHAMP,
                subfilter=SigSeedSubFilter.PADES,
                reason=raison,
                location="France",
                name=cachet.organisation,
            ),
            signer=cachet.signer,
            timestamper=horodateur,
            output=sortie,
        )
    except Exception as exc:
        if horodateur is not None:
            raise SceauIndisponible(f"Horodatage impossible ({settings.SCEAU_HORODATAGE_URL}) : {exc}") from exc
        raise
    return sortie.getvalue(), horodateur is not None


@dataclass(frozen=True)
class Verdict:
    """What the seal of a file says."""

    scelle: bool  # the file carries a signature at all
    intact: bool = False  # the signed bytes are unchanged
    de_confiance: bool = False  # by a trusted certificate (the platform's)
    couvre_tout: bool = False  # nothing was added after the seal
    signe_le: datetime | None = None
    signataire: str = ""
    horodate: bool = False
    erreur: str = ""

    @property
    def valide(self) -> bool:
        return self.scelle and self.intact and self.de_confiance and self.couvre_tout


def verifier(pdf: bytes) -> Verdict:
    """pyHanko's validation of the file's (last) seal against the trusted certificates."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception as exc:  # noqa: BLE001 - an unreadable file is simply not sealed
        return Verdict(scelle=False, erreur=f"Fichier PDF illisible : {exc}")
    if not signatures:
        return Verdict(scelle=False)
    signature = signatures[-1]
    try:
        statut = validate_pdf_signature(signature, ValidationContext(trust_roots=list(sceau().certificats)))
    except Exception as exc:  # noqa: BLE001 - a broken signature structure is an altered file
        logger.info("Validation du cachet impossible : %s", exc)
        return Verdict(scelle=True, erreur=str(exc))
    nom = ""
    try:
        nom = statut.signing_cert.subject.native.get("organization_name", "")
    except Exception:  # noqa: BLE001
        nom = ""
    return Verdict(
        scelle=True,
        intact=bool(statut.intact and statut.valid),
        de_confiance=bool(statut.trusted),
        couvre_tout=statut.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signe_le=statut.timestamp_validity.timestamp if statut.timestamp_validity else statut.signer_reported_dt,
        signataire=nom,
        horodate=statut.timestamp_validity is not None,
    )
