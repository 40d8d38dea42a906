"""The dispositif catalogue: rules are data (SPEC §2, §3): the registry and its versions,
the declaration of each rule set, durations and month arithmetic. Pure Python, no database."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from prestations import dispositifs
from prestations.dispositifs import DispositifInconnu, regle, regle_en_vigueur
from prestations.dispositifs.calendrier import ajouter_mois, fin_de_periode_mois
from prestations.dispositifs.paiement import echeancier_effectif
from prestations.dispositifs.vocabulaire import LIVRABLES, RUBRIQUES_LIVRABLES
from tests.support.dispositifs import BAM, BCA, CEP, MOV, PMA

# --- registry ---------------------------------------------------------------


def test_registry_cles_dans_l_ordre_du_catalogue():
    assert dispositifs.cles() == ["MOV", "BCA", "BAM", "PMA", "CEP"]


def test_registry_choix_pour_formulaire():
    choix = dict(dispositifs.choix())
    assert choix["MOV"] == "MOV – Mobilisation vers l'emploi"
    assert choix["CEP"] == "CEP – Conseil en évolution professionnelle"
    assert list(choix) == dispositifs.cles()


def test_registry_regle_exacte_et_inconnue():
    assert regle("MOV", "2010-08").duree_max_jours == 180
    with pytest.raises(DispositifInconnu, match="Dispositif inconnu"):
        regle("XYZ", "2010-08")
    with pytest.raises(DispositifInconnu, match="pas de version « 1999 »"):
        regle("MOV", "1999")
    # Callers catching KeyError keep working, and the message prints without quotes.
    with pytest.raises(KeyError) as exc:
        regle("XYZ", "1")
    assert str(exc.value) == "Dispositif inconnu : « XYZ »."


def test_registry_version_par_date(monkeypatch):
    ancienne = dataclasses.replace(MOV, valable_au=date(2025, 12, 31))
    nouvelle = dataclasses.replace(MOV, version="2026-01", valable_du=date(2026, 1, 1), duree_max_jours=200)
    monkeypatch.setitem(dispositifs.DISPOSITIFS, "MOV", [ancienne, nouvelle])

    assert regle_en_vigueur("MOV", date(2025, 12, 31)).version == "2010-08"
    assert regle_en_vigueur("MOV", date(2026, 1, 1)).version == "2026-01"
    assert regle_en_vigueur("MOV", date(2026, 3, 1)).duree_max_jours == 200
    # An LdC keeps its version: the exact lookup still returns the old rules.
    assert regle("MOV", "2010-08").duree_max_jours == 180
    # The choices show the latest version's name.
    assert dict(dispositifs.choix())["MOV"] == nouvelle.libelle


def test_registry_aucune_version_en_vigueur():
    with pytest.raises(DispositifInconnu, match=r"Aucune version du dispositif MOV n'est en vigueur le 31/07/2010"):
        regle_en_vigueur("MOV", date(2010, 7, 31))
    assert regle_en_vigueur("MOV", date(2010, 8, 1)) is MOV
    with pytest.raises(DispositifInconnu):
        regle_en_vigueur("NOPE", date(2026, 1, 1))


def test_registry_refuse_versions_qui_se_chevauchent():
    autre = dataclasses.replace(MOV, version="2026-01", valable_du=date(2026, 1, 1))
    with pytest.raises(ValueError, match="se chevauchent"):
        dispositifs.verifier_registre({"MOV": [MOV, autre]})
    with pytest.raises(ValueError, match="autre dispositif"):
        dispositifs.verifier_registre({"MOV": [BCA]})


@pytest.mark.parametrize("regle_dispositif", dispositifs.toutes_les_regles(), ids=lambda r: f"{r.cle}-{r.version}")
def test_chaque_dispositif_declare_ses_phases_et_livrables(regle_dispositif):
    assert regle_dispositif.phases
    assert len(set(regle_dispositif.cles_phases)) == len(regle_dispositif.phases)
    assert regle_dispositif.source.startswith("seeds/")
    assert regle_dispositif.valable_du <= date(2026, 1, 1)
    for phase in regle_dispositif.phases:
        assert phase.libelle
        for livrable in (*phase.livrables, *phase.livrables_optionnels):
            assert livrable in LIVRABLES
            assert livrable in RUBRIQUES_LIVRABLES
    assert max(j.pourcentage_cumule for j in echeancier_effectif(regle_dispositif)) == Decimal(100)


def test_regle_incoherente_refusee_a_la_declaration():
    with pytest.raises(ValueError, match="aucune phase"):
        dataclasses.replace(MOV, phases=())
    with pytest.raises(ValueError, match="livrable inconnu « rapport_magique »"):
        dataclasses.replace(BAM, phases=(dataclasses.replace(BAM.phases[0], livrables=("rapport_magique",)),))
    with pytest.raises(ValueError, match="fixée par le dispositif et par le marché"):
        dataclasses.replace(PMA, duree_max_jours=90)
    with pytest.raises(ValueError, match="phase inconnue « suivi »"):
        dataclasses.replace(MOV, suivi_emploi=dataclasses.replace(MOV.suivi_emploi, phase="suivi"))


def test_mov05_la_phase_close_par_la_signature_vient_de_la_regle():
    """MOV-05 / BCA-02: signing the contract completes the contractualisation phase of the
    rule set (a flag of the phase, not a phase name in the code); MOV-13: the follow-up
    runs in the phase the rule set names."""
    for regle_dispositif in (MOV, BCA):
        assert [p.cle for p in regle_dispositif.phases if p.close_par_la_signature] == ["contractualisation"]
    assert not any(p.close_par_la_signature for regle_dispositif in (BAM, PMA, CEP) for p in regle_dispositif.phases)
    assert MOV.suivi_emploi.phase in MOV.cles_phases


# --- durations (PRE-01, MOV-07, BCA-02, BAM, PMA, CEP) -----------------------


def test_mov07_date_fin_180_jours_inclusifs():
    debut = date(2026, 3, 1)
    assert MOV.date_fin(debut) == date(2026, 8, 27)
    assert (MOV.date_fin(debut) - debut).days + 1 == 180


def test_mov07_suspension_ne_reporte_pas_la_date_fin():
    assert MOV.suspension.reporte_date_fin is False


def test_bca02_six_semaines_maximum():
    assert BCA.date_fin(date(2026, 3, 2)) == date(2026, 4, 12)
    assert BCA.duree_indicative_heures == 20


def test_bam_90_jours_calendaires():
    assert BAM.date_fin(date(2026, 1, 1)) == date(2026, 3, 31)


def test_pma_duree_fixee_par_le_marche():
    assert PMA.duree_fixee_par_marche
    with pytest.raises(ValueError, match="fixée par le marché"):
        PMA.date_fin(date(2026, 3, 1))
    assert PMA.date_fin(date(2026, 3, 1), duree_marche_jours=120) == date(2026, 6, 28)


def test_duree_du_marche_ignoree_quand_le_dispositif_fixe_sa_duree():
    assert MOV.date_fin(date(2026, 3, 1), duree_marche_jours=30) == date(2026, 8, 27)


def test_cep_sans_date_fin():
    assert CEP.date_fin(date(2026, 3, 1)) is None
    assert CEP.duree_max_jours is None and not CEP.duree_fixee_par_marche


def test_mov07_bca02_regle_de_fin_au_terme_declaree_par_chaque_dispositif():
    # MOV-07 and BCA-02 end the prestation at its end date; SPEC numbers no such rule
    # for BAM (90 days) and PMA (the marché's duration): their key stands for it.
    assert MOV.regle_terme == "MOV-07"
    assert BCA.regle_terme == "BCA-02"
    assert BAM.regle_terme == "BAM"
    assert PMA.regle_terme == "PMA"
    assert CEP.regle_terme is None  # no end date
    with pytest.raises(ValueError, match="regle_terme"):
        dataclasses.replace(BCA, regle_terme=None)
    with pytest.raises(ValueError, match="sans date de fin"):
        dataclasses.replace(CEP, regle_terme="CEP")


# --- month arithmetic --------------------------------------------------------


@pytest.mark.parametrize(
    ("jour", "mois", "attendu"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 5), 13, date(2028, 1, 5)),
    ],
)
def test_ajouter_mois(jour, mois, attendu):
    assert ajouter_mois(jour, mois) == attendu


@pytest.mark.parametrize(
    ("debut", "mois", "fin"),
    [
        (date(2026, 3, 1), 2, date(2026, 4, 30)),
        (date(2026, 3, 15), 1, date(2026, 4, 14)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 1), 6, date(2026, 8, 31)),
    ],
)
def test_fin_de_periode_mois_inclusive(debut, mois, fin):
    assert fin_de_periode_mois(debut, mois) == fin
