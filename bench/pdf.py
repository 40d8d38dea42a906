"""``make bench`` (documents part, issue 14): render time of the documents, and the seal.

Times, in one run and interleaved (so that both see the same machine load):

- a one-page feuille d'émargement (12 entretiens, each with its proof) and a typical
  bilan final (MOV, six months: 26 entretiens, a période en entreprise, four actions,
  the sortie, three sections of text, two signatures, the feuille in annex), through
  the platform's path: context (snapshot, signatures, QR code of the verification page),
  template of the strict engine, WeasyPrint PDF/A-3b tagged (``livrables.rendu``);
- the same HTML through WeasyPrint alone (``HTML(string=…).write_pdf(pdf_variant="pdf/a-3b",
  pdf_tags=True)``): the limit;
- the seal of the bilan final (``livrables.sceau.sceller``: pyHanko PAdES, offline, with a
  certificate made for the run).

Reports median and p95 of each (``--tours`` renderings, 30 by default). Targets (issue 14):
one page p95 under 150 ms, the platform within 1.3× of WeasyPrint alone. No database is
used: the documents' data are built here as the snapshot of a case
(``livrables.contenu.instantane``) would hold them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).absolute().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
# Never connected: the benchmark renders documents only (and the embedded server stays off).
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prestations_bench_pdf")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from livrables import rendu, sceau  # noqa: E402
from livrables.certificat import generer  # noqa: E402
from livrables.models import Livrable, Signature  # noqa: E402

PARTIE = {"siret": "12345678900017", "adresse": "4 rue de Paris\n03000 Moulins", "email": "contact@exemple.test"}


def _dossier(entretiens: int, feuille: int) -> dict:
    debut = datetime.date(2026, 3, 2)
    lignes = []
    for n in range(feuille):
        jour = debut + datetime.timedelta(days=7 * n + 1)
        lignes.append(
            {
                "date": f"{jour:%d/%m/%Y}",
                "heure": "10:00",
                "duree": "45 min",
                "nature": "Individuel",
                "modalite": "En présentiel",
                "preuve": True,
                "methode": "Signé sur place",
                "signataire": "Jeanne Girard",
                "signe_le": f"{jour:%d/%m/%Y} à 10:52",
                "rang": n + 1,
                "empreinte": f"{n:02d}" + "a3f1" * 15,
                "dessin": "",
            }
        )
    return {
        "edite_le": "02/09/2026",
        "numero": "LDC-2026-004217",
        "dispositif": "MOV – Mobilisation vers l'emploi",
        "regles_version": "2010-08",
        "date_debut": "02/03/2026",
        "date_fin": "28/08/2026",
        "contractualisee_le": "03/03/2026",
        "etat": "Terminée",
        "phase": "Phase 2 – Construction et mise en œuvre du parcours",
        "prestataire": {"nom": "Plateforme Mobilité de l'Allier", **PARTIE},
        "prescripteur": {
            "nom": "France Travail – Agence de Moulins",
            **PARTIE,
            "conseiller": "Claire Dumas",
            "conseiller_email": "claire.dumas@exemple.test",
        },
        "financeur": {"nom": "France Travail – Direction régionale ARA", **PARTIE},
        "marche": {"reference": "MOV-ARA-2026-03", "intitule": "Mobilisation vers l'emploi – Allier"},
        "referent": {"nom": "Julien Mercier", "email": "julien.mercier@exemple.test"},
        "beneficiaire": {
            "nom": "Madame Jeanne Girard",
            "date_naissance": "14/05/1986",
            "identifiant_ft": "1234567A",
            "adresse": "12 rue des Tanneurs",
            "commune": "03000 Moulins",
            "email": "jeanne.girard@exemple.test",
            "telephone": "06 12 34 56 78",
            "projet": "Chauffeur-livreur",
            "code_rome": "N4105",
        },
        "phases": [],
        "entretiens": [
            {
                "date": f"{debut + datetime.timedelta(days=7 * n + 1):%d/%m/%Y} 10:00",
                "duree": 45,
                "type": "Individuel",
                "modalite": "En présentiel",
                "phase": "Phase 2 – Construction et mise en œuvre du parcours",
                "presence": "Présent",
            }
            for n in range(entretiens)
        ],
        "periodes": [
            {
                "entreprise": "Transports Allier Express",
                "siret": "12345678900025",
                "du": "04/05/2026",
                "au": "15/05/2026",
                "tuteur": "Marc Perrin",
                "objectif": "Découvrir le métier de chauffeur-livreur.",
            }
        ],
        "actions": [
            {
                "nature": "Action à conduire",
                "libelle": f"Action n° {n + 1} du parcours",
                "du": "01/06/2026",
                "au": "30/06/2026",
                "intervenant": "Mission locale",
                "cout": "",
                "aides": "",
                "statut": "Réalisée",
            }
            for n in range(4)
        ],
        "sortie": {
            "type": "Emploi",
            "date": "24/08/2026",
            "positive": True,
            "explication": "CDI à temps plein (SOR-01).",
            "employeur": "Transports Allier Express",
        },
        "feuille": lignes,
    }


def _bilan_final() -> tuple[Livrable, list[Signature]]:
    texte = (
        "Au terme de six mois d'accompagnement, Mme Girard a retrouvé un rythme de démarches régulier, "
        "obtenu son permis C et mené une période en entreprise concluante. " * 4
    )
    livrable = Livrable(type="bilan_final", version=1, reference="DOC-BENC-HPDF-2026")
    livrable.contenu = {
        "rubriques": [
            {"titre": "Acquis de la prestation", "texte": texte},
            {"titre": "Actions restant à mettre en œuvre", "texte": texte},
            {"titre": "Calendrier associé", "texte": "– Septembre 2026 : prise de poste.\n– Décembre 2026 : bilan."},
        ],
        "dossier": _dossier(entretiens=26, feuille=26),
    }
    livrable.empreinte_a_signer = "b" * 64
    maintenant = timezone.now()
    signatures = [
        Signature(
            role="beneficiaire",
            methode="sur_place",
            signataire_nom="Jeanne Girard",
            signe_le=maintenant,
            empreinte_document="b" * 64,
        ),
        Signature(
            role="referent",
            methode="compte",
            signataire_nom="Julien Mercier",
            signe_le=maintenant,
            empreinte_document="b" * 64,
        ),
    ]
    return livrable, signatures


def feuille_html() -> str:
    """The platform's path for a one-page feuille (context, QR code, strict template)."""
    dossier = _dossier(entretiens=0, feuille=12)
    url = rendu.url_verification("DOC-BENC-HFEU-2026")
    return rendu.rendre_html(
        rendu.FEUILLE,
        {
            "mode": "final",
            "document": {
                "type": "feuille_emargement",
                "titre": "Feuille d'émargement",
                "version": 1,
                "reference": "DOC-BENC-HFEU-2026",
                "regles": "EMA-01, EMA-02",
                "motif_correction": "",
            },
            "dossier": dossier,
            "rubriques": [],
            "signataires": [],
            "signatures": [],
            "empreinte_a_signer": "",
            "niveau": "",
            "periode": {"du": "01/03/2026", "au": "31/05/2026"},
            "chaine": {"intacte": True, "nombre": 12, "derniere": "c" * 64, "anomalies": []},
            "verification": {"url": url, "qr": rendu.qr_code(url)},
            "rendu_le": "02/09/2026 à 10:00",
        },
    )


def bilan_final_html() -> str:
    livrable, signatures = _bilan_final()
    niveau = rendu.niveau_de_signature(livrable, signatures, "Plateforme Prestations", False)
    contexte = rendu.contexte(livrable, mode="final", signatures=signatures, niveau=niveau)
    return rendu.rendre_html(rendu.gabarit(livrable.type), contexte)


def weasyprint_seul(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True)


def _mesure(fonction) -> float:
    debut = time.perf_counter()
    fonction()
    return (time.perf_counter() - debut) * 1000


def _stats(valeurs: list[float]) -> tuple[float, float]:
    ordonnees = sorted(valeurs)
    p95 = ordonnees[min(len(ordonnees) - 1, round(0.95 * (len(ordonnees) - 1)))]
    return statistics.median(ordonnees), p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tours", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as dossier:
        settings.SCEAU_CERTIFICAT = Path(dossier) / "certificat.pem"
        settings.SCEAU_CLE = Path(dossier) / "cle.pem"
        settings.SCEAU_HORODATAGE_URL = ""
        generer(settings.SCEAU_CERTIFICAT, settings.SCEAU_CLE)

        html_feuille, html_bilan = feuille_html(), bilan_final_html()
        pdf_feuille, pdf_bilan = weasyprint_seul(html_feuille), weasyprint_seul(html_bilan)  # warm-up (fonts)
        sceau.sceller(pdf_bilan, raison="échauffement")
        import io

        from pypdf import PdfReader  # a dev dependency: the page counts only

        pages = {
            "feuille": len(PdfReader(io.BytesIO(pdf_feuille)).pages),
            "bilan": len(PdfReader(io.BytesIO(pdf_bilan)).pages),
        }
        # A page with one line, through WeasyPrint alone: what the machine gives now (the
        # figures of a loaded machine scale with it).
        vide = (
            '<html lang="fr"><head><meta charset="utf-8"><title>t</title></head><body><p>Une ligne.</p></body></html>'
        )
        cles = ("feuille", "feuille_seul", "bilan", "bilan_seul", "sceau", "vide")
        mesures: dict[str, list[float]] = {k: [] for k in cles}
        for _ in range(args.tours):
            mesures["feuille"].append(_mesure(lambda: rendu.vers_pdf(feuille_html(), pdfa=True)))
            mesures["feuille_seul"].append(_mesure(lambda: weasyprint_seul(html_feuille)))
            mesures["bilan"].append(_mesure(lambda: rendu.vers_pdf(bilan_final_html(), pdfa=True)))
            mesures["bilan_seul"].append(_mesure(lambda: weasyprint_seul(html_bilan)))
            mesures["sceau"].append(_mesure(lambda: sceau.sceller(pdf_bilan, raison="mesure")))
            mesures["vide"].append(_mesure(lambda: weasyprint_seul(vide)))

    print(
        f"Documents (issue 14) — {args.tours} tours, Python {platform.python_version()}, "
        f"{os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.2f}"
    )
    libelles = {
        "feuille": f"feuille d'émargement ({pages['feuille']} page), plateforme",
        "feuille_seul": "  même HTML, WeasyPrint seul",
        "bilan": f"bilan final typique ({pages['bilan']} pages), plateforme",
        "bilan_seul": "  même HTML, WeasyPrint seul",
        "sceau": "scellement PAdES (pyHanko) du bilan final",
        "vide": "référence : une ligne, WeasyPrint seul",
    }
    print(f"{'':<52} {'médiane':>9} {'p95':>9}")
    for cle, libelle in libelles.items():
        mediane, p95 = _stats(mesures[cle])
        print(f"{libelle:<52} {mediane:>7.0f} ms {p95:>6.0f} ms")
    for cle in ("feuille", "bilan"):
        rapport = _stats(mesures[cle])[0] / _stats(mesures[f"{cle}_seul"])[0]
        print(f"rapport plateforme / WeasyPrint seul ({cle}), médianes : {rapport:.2f}")
    p95_feuille = _stats(mesures["feuille"])[1]
    ok = p95_feuille < 150 and _stats(mesures["feuille"])[0] / _stats(mesures["feuille_seul"])[0] < 1.3
    print("Objectifs (p95 d'une page < 150 ms, moins de 1,3 × WeasyPrint seul) :", "atteints" if ok else "non atteints")
    return 0


if __name__ == "__main__":
    sys.exit(main())
