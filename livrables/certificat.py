"""A self-signed seal certificate for the demo and the tests (never committed): an RSA key
and an X.509 certificate whose key usage allows signing documents (non-repudiation).
Production reads its own certificate from the settings (``SCEAU_CERTIFICAT``,
``SCEAU_CLE``)."""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ORGANISATION = "Plateforme Prestations (démonstration)"
NOM = "Cachet électronique de la plateforme Prestations"


def generer(certificat: Path, cle: Path, *, organisation: str = ORGANISATION, jours: int = 3650) -> None:
    """Write a new key (PKCS#8, unencrypted, mode 600) and its self-signed certificate."""
    privee = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nom = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, NOM),
        ]
    )
    maintenant = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(nom)
        .issuer_name(nom)
        .public_key(privee.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(maintenant - datetime.timedelta(days=1))
        .not_valid_after(maintenant + datetime.timedelta(days=jours))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(privee.public_key()), critical=False)
        .sign(privee, hashes.SHA256())
    )
    certificat.parent.mkdir(parents=True, exist_ok=True)
    cle.parent.mkdir(parents=True, exist_ok=True)
    cle.write_bytes(
        privee.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cle.chmod(0o600)
    certificat.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
