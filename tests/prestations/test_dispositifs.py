"""The dispositif catalogue: rules are data (SPEC §2, §3). Pure Python, no database."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest

from prestations import dispositifs
from prestations.dispositifs import DispositifInconnu, FaitsEligibilite, regle, regle_en_vigueur
from prestations.dispositifs.calendrier import ajouter_mois, duree_jours, fin_de_periode_mois, jours_nets
from prestations.dispositifs.paiement import (
    ECHEANCIER_PAR_DEFAUT,
    Declencheur,
    Jalon,
    echeancier_effectif,
    montant_du,
    preuve,
)
from prestations.dispositifs.pma import REORIENTATIONS
from prestations.dispositifs.vocabulaire import LIVRABLES, RUBRIQUES_LIVRABLES, STATUTS

MOV = regle("MOV", "2010-08")
BCA = regle("BCA", "2001-07")
BAM = regle("BAM", "2021-08")
PMA = regle("PMA", "2022")
CEP = regle("CEP", "2019-03")

PRIX = Decimal("1500.00")


def jalon(regle_dispositif, regle_id: str) -> Jalon:
    return next(j for j in regle_dispositif.echeancier if j.regle == regle_id)


def faits(**kwargs) -> FaitsEligibilite:
    """Facts of a bénéficiaire eligible to PMA, overridden by ``kwargs``."""
    valeurs = {
        "statut": "rsa",
        "age": 40,
        "niveau_francais": "B1",
        "projet_professionnel_defini": True,
        "suivi_par_professionnel_insertion": True,
        "demarches_engagees": True,
        "mois_inscription": 12,
    }
    valeurs.update(kwargs)
    return FaitsEligibilite(**valeurs)


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


# --- renewal (MOV-08) --------------------------------------------------------


def test_mov08_renouvellement_une_fois_six_mois():
    assert MOV.renouvellement.nombre_max == 1
    assert MOV.renouvellement.duree_mois == 6
    assert MOV.date_fin_renouvellement(date(2026, 8, 27)) == date(2027, 2, 27)
    # Calendar months: a period ending on 28 February is renewed up to 31 August.
    assert MOV.date_fin_renouvellement(date(2026, 2, 28)) == date(2026, 8, 31)
    assert MOV.date_fin_renouvellement(date(2026, 8, 30)) == date(2027, 2, 28)


def test_mov08_un_seul_renouvellement():
    with pytest.raises(ValueError, match="1 fois"):
        MOV.date_fin_renouvellement(date(2027, 2, 27), renouvellements_effectues=1)


def test_mov08_pas_de_renouvellement_pour_les_autres_dispositifs():
    for autre in (BCA, BAM, PMA, CEP):
        assert autre.renouvellement is None
        with pytest.raises(ValueError, match="ne prévoit pas de renouvellement"):
            autre.date_fin_renouvellement(date(2026, 8, 27))


def test_mov08_renouvellement_decide_dans_les_30_derniers_jours():
    renouvellement = MOV.renouvellement
    assert renouvellement.jours_avant_terme == 30
    fin = MOV.date_fin(date(2026, 3, 1))  # 27 August 2026
    debut_fenetre, fin_fenetre = renouvellement.fenetre(fin)
    assert (debut_fenetre, fin_fenetre) == (date(2026, 7, 29), fin)
    assert duree_jours(debut_fenetre, fin_fenetre) == 30  # the end date included
    assert not renouvellement.fenetre_ouverte(fin, date(2026, 7, 28))
    assert renouvellement.fenetre_ouverte(fin, date(2026, 7, 29))
    assert renouvellement.fenetre_ouverte(fin, fin)
    assert not renouvellement.fenetre_ouverte(fin, date(2026, 8, 28))
    assert dataclasses.replace(renouvellement, jours_avant_terme=1).fenetre(fin) == (fin, fin)
    with pytest.raises(ValueError, match="MOV-08"):
        dataclasses.replace(renouvellement, jours_avant_terme=0)


# --- suspensions (MOV-09) ----------------------------------------------------


def test_mov09_maladie_14_jours_consecutifs():
    s = MOV.suspension
    assert s.verifier("maladie", date(2026, 4, 1), date(2026, 4, 14)) == []
    erreurs = s.verifier("maladie", date(2026, 4, 1), date(2026, 4, 15))
    assert len(erreurs) == 1 and "15 jours consécutifs" in erreurs[0] and "MOV-09" in erreurs[0]
    # Consecutive, not cumulative: a second illness later is fine.
    assert s.verifier("maladie", date(2026, 6, 1), date(2026, 6, 10), deja_pris_jours=14) == []


def test_mov09_conges_35_jours_au_total():
    s = MOV.suspension
    assert s.verifier("conges", date(2026, 7, 1), date(2026, 7, 5), deja_pris_jours=30) == []
    erreurs = s.verifier("conges", date(2026, 7, 1), date(2026, 7, 6), deja_pris_jours=30)
    assert erreurs and "36 jours au total" in erreurs[0]


def test_mov09_motif_non_prevu_et_dates_inversees():
    s = MOV.suspension
    assert "non prévu" in s.verifier("vacances_scolaires", date(2026, 4, 1), date(2026, 4, 2))[0]
    assert "précède" in s.verifier("maladie", date(2026, 4, 2), date(2026, 4, 1))[0]
    assert s.choix_motifs() == [("maladie", "Maladie"), ("conges", "Congés")]


def test_mov09_aucune_suspension_pour_les_autres_dispositifs():
    assert [r.cle for r in dispositifs.toutes_les_regles() if r.suspension is not None] == ["MOV"]


# --- deadlines at entry (MOV-03, MOV-05, MOV-06, LIV-03) ---------------------


def test_mov03_contractualisation_sous_7_jours_alerte_au_jour_5():
    delai = MOV.delai_contractualisation
    debut = date(2026, 3, 2)
    assert delai.regle == "MOV-03"
    assert delai.dates_alerte(debut) == (date(2026, 3, 7),)
    assert delai.date_limite(debut) == date(2026, 3, 9)
    assert not delai.est_depasse(debut, date(2026, 3, 9))
    assert delai.est_depasse(debut, date(2026, 3, 10))
    assert delai.date_depassement(debut) == date(2026, 3, 10)


def test_mov05_mov06_liv03_avis_sous_48_heures():
    assert MOV.delai_copie_contrat_heures == 48
    assert MOV.delai_information_refus_heures == 48
    assert MOV.delai_information_interruption_heures == 48
    assert MOV.phase("contractualisation").livrables == ("contrat_accompagnement",)
    assert BCA.delai_contractualisation is None and BCA.delai_copie_contrat_heures is None


# --- running the prestation (MOV-10 .. MOV-13) -------------------------------


def test_mov10_ecart_de_14_jours_net_des_suspensions_et_periodes_en_entreprise():
    regle_ecart = MOV.ecart_entretiens
    dernier = date(2026, 4, 1)
    assert regle_ecart.ecart(dernier, date(2026, 4, 15)) == 14
    assert not regle_ecart.depasse(14)
    assert regle_ecart.depasse(regle_ecart.ecart(dernier, date(2026, 4, 16)))
    # 5 days of illness and a week in a company do not count.
    exclues = [(date(2026, 4, 3), date(2026, 4, 7)), (date(2026, 4, 10), date(2026, 4, 16))]
    assert regle_ecart.ecart(dernier, date(2026, 4, 20), exclues) == 7
    # Overlapping periods are counted once.
    assert jours_nets(dernier, date(2026, 4, 10), [(date(2026, 4, 2), date(2026, 4, 5))] * 2) == 5


def test_mov10_jour_ou_ecart_atteint_a_travers_suspension_et_periode_en_entreprise():
    regle_ecart = MOV.ecart_entretiens
    dernier = date(2026, 4, 1)
    # Illness 3-7 April, période en entreprise 10-16 April: net days are 2, 8, 9 April,
    # then every day from 17 April (4th net day).
    exclues = [(date(2026, 4, 3), date(2026, 4, 7)), (date(2026, 4, 10), date(2026, 4, 16))]
    assert regle_ecart.jour_ou_ecart_atteint(dernier, 0, exclues) == dernier
    assert regle_ecart.jour_ou_ecart_atteint(dernier, 1, exclues) == date(2026, 4, 2)
    assert regle_ecart.jour_ou_ecart_atteint(dernier, 2, exclues) == date(2026, 4, 8)
    assert regle_ecart.jour_ou_ecart_atteint(dernier, 4, exclues) == date(2026, 4, 17)
    assert regle_ecart.jour_ou_ecart_atteint(dernier, 14, exclues) == date(2026, 4, 27)
    # Warnings at net days 10 and 13; the last day an entretien keeps the prestation
    # alive is the 14th net day; it ends on the 15th.
    assert regle_ecart.dates_alerte(dernier, exclues) == (date(2026, 4, 23), date(2026, 4, 26))
    assert regle_ecart.date_limite(dernier, exclues) == date(2026, 4, 27)
    assert regle_ecart.date_depassement(dernier, exclues) == date(2026, 4, 28)
    # Without excluded periods: 14 calendar days.
    assert regle_ecart.date_limite(dernier) == date(2026, 4, 15)


def test_mov10_date_limite_prolongee_par_une_suspension_qui_suit_le_quatorzieme_jour():
    regle_ecart = MOV.ecart_entretiens
    dernier = date(2026, 4, 1)
    suspension = [(date(2026, 4, 16), date(2026, 4, 20))]  # right after the 14th net day
    assert regle_ecart.jour_ou_ecart_atteint(dernier, regle_ecart.max_jours, suspension) == date(2026, 4, 15)
    assert regle_ecart.date_limite(dernier, suspension) == date(2026, 4, 20)
    assert regle_ecart.date_depassement(dernier, suspension) == date(2026, 4, 21)
    assert not regle_ecart.depasse(regle_ecart.ecart(dernier, date(2026, 4, 20), suspension))


@pytest.mark.parametrize(
    "exclues",
    [
        [],
        [(date(2026, 4, 3), date(2026, 4, 7)), (date(2026, 4, 10), date(2026, 4, 16))],
        [(date(2026, 4, 2), date(2026, 4, 2)), (date(2026, 4, 15), date(2026, 4, 30))],
        [(date(2026, 4, 5), date(2026, 4, 12)), (date(2026, 4, 8), date(2026, 4, 20))],  # overlapping
    ],
)
def test_mov10_la_marche_s_accorde_avec_ecart_et_depasse(exclues):
    regle_ecart = MOV.ecart_entretiens
    dernier = date(2026, 4, 1)
    limite = regle_ecart.date_limite(dernier, exclues)
    alertes = dict(zip(regle_ecart.alertes_jours, regle_ecart.dates_alerte(dernier, exclues), strict=True))
    for n in range(60):
        jour = dernier + timedelta(days=n)
        ecart = regle_ecart.ecart(dernier, jour, exclues)
        assert regle_ecart.depasse(ecart) == (jour > limite)
        for seuil in range(regle_ecart.max_jours + 2):
            assert (ecart >= seuil) == (jour >= regle_ecart.jour_ou_ecart_atteint(dernier, seuil, exclues))
        assert regle_ecart.alertes_atteintes(ecart) == tuple(a for a, le in alertes.items() if jour >= le)


def test_mov10_seuil_negatif_et_periode_inversee_refuses():
    regle_ecart = MOV.ecart_entretiens
    with pytest.raises(ValueError, match="MOV-10"):
        regle_ecart.jour_ou_ecart_atteint(date(2026, 4, 1), -1)
    with pytest.raises(ValueError, match="Période invalide"):
        regle_ecart.date_limite(date(2026, 4, 1), [(date(2026, 4, 5), date(2026, 4, 3))])


def test_mov10_les_messages_disent_les_nombres_de_la_regle():
    regle_ecart = MOV.ecart_entretiens
    assert regle_ecart.libelle_depassement == "plus de 14 jours sans entretien"
    assert regle_ecart.libelle_neutralisation == "hors suspensions et périodes en entreprise"
    autre = dataclasses.replace(regle_ecart, max_jours=21, neutralise_periodes_entreprise=False)
    assert autre.libelle_depassement == "plus de 21 jours sans entretien"
    assert autre.libelle_neutralisation == "hors suspensions"
    assert autre.date_limite(date(2026, 4, 1)) == date(2026, 4, 22)


def test_mov10_alertes_aux_jours_10_et_13():
    regle_ecart = MOV.ecart_entretiens
    assert regle_ecart.alertes_atteintes(9) == ()
    assert regle_ecart.alertes_atteintes(10) == (10,)
    assert regle_ecart.alertes_atteintes(13) == (10, 13)


def test_mov11_un_entretien_hebdomadaire_en_phases_1_et_2():
    cadence = MOV.cadence_entretiens
    assert cadence.phases == ("phase_1", "phase_2")
    assert cadence.duree_min_minutes == 30 and cadence.face_a_face and cadence.individuel
    # Wednesday 4 March to Sunday 29 March 2026: full weeks start 9, 16 and 23 March.
    entretiens = [date(2026, 3, 4), date(2026, 3, 10), date(2026, 3, 27)]
    assert cadence.semaines_sans_entretien(date(2026, 3, 4), date(2026, 3, 29), entretiens) == [date(2026, 3, 16)]
    # A week with a suspension day is not flagged.
    assert (
        cadence.semaines_sans_entretien(
            date(2026, 3, 4), date(2026, 3, 29), entretiens, [(date(2026, 3, 18), date(2026, 3, 18))]
        )
        == []
    )


def test_mov12_periode_en_entreprise_de_1_a_6_semaines_avant_fin_phase_2():
    pe = MOV.periode_entreprise
    assert pe.nombre_min == 1 and pe.avant_fin_de_phase == "phase_2"
    debut = date(2026, 5, 4)
    assert pe.verifier_duree(debut, debut + timedelta(days=6)) == []
    assert pe.verifier_duree(debut, debut + timedelta(days=41)) == []
    assert "6 jours" in pe.verifier_duree(debut, debut + timedelta(days=5))[0]
    assert "43 jours" in pe.verifier_duree(debut, debut + timedelta(days=42))[0]


def test_mov13_suivi_dans_l_emploi_3_mois():
    suivi = MOV.suivi_emploi
    assert suivi.sorties == ("emploi", "formation")
    assert suivi.fenetres(date(2026, 6, 1)) == [
        (date(2026, 6, 1), date(2026, 6, 7)),
        (date(2026, 6, 8), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 7, 31)),
        (date(2026, 8, 1), date(2026, 8, 31)),
    ]
    assert suivi.date_fin(date(2026, 6, 1)) == date(2026, 8, 31)
    assert not MOV.phase("suivi_emploi").obligatoire


def test_mov13_alerte_2_jours_avant_la_fin_de_chaque_fenetre():
    suivi = MOV.suivi_emploi
    assert suivi.alerte_jours_avant_fin_fenetre == 2
    fenetres = suivi.fenetres(date(2026, 6, 1))
    assert [suivi.date_alerte(*f) for f in fenetres] == [
        date(2026, 6, 5),
        date(2026, 6, 28),
        date(2026, 7, 29),
        date(2026, 8, 29),
    ]
    # Never before the window opens.
    assert suivi.date_alerte(date(2026, 6, 1), date(2026, 6, 2)) == date(2026, 6, 1)
    assert dataclasses.replace(suivi, alerte_jours_avant_fin_fenetre=10).date_alerte(*fenetres[0]) == date(2026, 6, 1)


# --- deliverables (LIV-01, LIV-02, LIV-04) -----------------------------------


def test_liv01_bilan_intermediaire_fin_du_deuxieme_mois_avec_emargement():
    echeance = MOV.echeance_livrable("bilan_intermediaire")
    assert echeance.regle == "LIV-01"
    assert echeance.emargement == "emargement_bilan_intermediaire"
    assert echeance.date_limite(date(2026, 3, 1), date(2026, 8, 27)) == date(2026, 4, 30)
    assert MOV.phase("phase_1").livrables == ("bilan_intermediaire",)


def test_liv02_bilan_final_sous_7_jours_apres_la_fin():
    echeance = MOV.echeance_livrable("bilan_final")
    assert echeance.regle == "LIV-02"
    assert echeance.date_limite(date(2026, 3, 1), date(2026, 8, 27)) == date(2026, 9, 3)
    assert echeance.date_limite(date(2026, 3, 1), None) is None
    assert MOV.livrables_requis() == ("contrat_accompagnement", "bilan_intermediaire", "bilan_final")


def test_liv01_liv02_alerte_3_jours_avant_l_echeance_du_livrable():
    intermediaire = MOV.echeance_livrable("bilan_intermediaire")
    final = MOV.echeance_livrable("bilan_final")
    assert intermediaire.alerte_jours_avant == final.alerte_jours_avant == 3
    debut, fin = date(2026, 3, 1), date(2026, 8, 27)
    assert intermediaire.date_alerte(debut, fin) == date(2026, 4, 27)  # deadline 30 April
    assert final.date_alerte(debut, fin) == date(2026, 8, 31)  # deadline 3 September
    assert final.date_alerte(debut, None) is None
    with pytest.raises(ValueError, match="LIV-01"):
        dataclasses.replace(intermediaire, alerte_jours_avant=-1)


def test_liv04_bam_rapports_et_cep_document_de_synthese():
    assert BAM.livrables_requis() == (
        "rapport_positionnement_initial",
        "carnet_de_suivi",
        "rapport_positionnement_final",
    )
    assert CEP.phase("niveau_2").livrables == ("document_synthese",)
    assert CEP.phase("niveau_1").livrables_optionnels == ("fiche_niveau_1",)
    assert CEP.phase("niveau_1").livrables == ()


# --- phases (BCA-02, BAM-02..04, CEP-01/02) -----------------------------------


def test_phases_mov_dans_l_ordre():
    assert MOV.cles_phases == ("contractualisation", "phase_1", "phase_2", "suivi_emploi")
    assert MOV.phase_suivante("phase_1").cle == "phase_2"
    assert MOV.phase_suivante("suivi_emploi") is None
    with pytest.raises(KeyError):
        MOV.phase("phase_3")


def test_bca02_quatre_phases_ordonnees_avec_un_entretien_chacune():
    assert BCA.cles_phases == ("contractualisation", "investigation", "confrontation", "formalisation")
    assert BCA.phases_ordonnees
    assert all(p.entretiens_individuels_min >= 1 for p in BCA.phases)
    assert BCA.livrables_requis() == ("contrat_accompagnement", "synthese_bilan_competences")


def test_bam02_bilan_initial_fin_anticipee_possible():
    bilan_initial = BAM.phase("bilan_initial")
    assert bilan_initial.livrables == ("rapport_positionnement_initial",)
    assert bilan_initial.fin_anticipee_possible
    assert {m for m, _ in bilan_initial.motifs_fin_anticipee} == {"absence_frein_mobilite", "permis_b_ecole_classique"}
    assert not BAM.phase("parcours_mobilite").fin_anticipee_possible


def test_bam03_parcours_mobilite_deux_entretiens_collectif_de_six():
    parcours = BAM.phase("parcours_mobilite")
    assert parcours.entretiens_individuels_min == 2
    assert parcours.taille_max_collectif == 6
    assert "carnet_de_suivi" in parcours.livrables
    assert "Services payants : coût et aides mobilisables" in RUBRIQUES_LIVRABLES["carnet_de_suivi"]


def test_bam04_bilan_final_rapport_de_positionnement_final():
    assert BAM.cles_phases == ("bilan_initial", "parcours_mobilite", "bilan_final")
    assert BAM.phase("bilan_final").livrables == ("rapport_positionnement_final",)


def test_bam01_signale_qpv_et_territoires_ruraux():
    assert BAM.signale_qpv_rural
    assert [r.cle for r in dispositifs.toutes_les_regles() if r.signale_qpv_rural] == ["BAM"]


def test_cep01_niveaux_non_consecutifs_delivrables_seuls():
    assert CEP.cles_phases == ("niveau_1", "niveau_2")
    assert CEP.phases_ordonnees is False
    assert not any(p.obligatoire for p in CEP.phases)


def test_cep02_plan_d_action_dans_le_document_de_synthese():
    rubriques = RUBRIQUES_LIVRABLES["document_synthese"]
    for attendu in ("Plan de financement", "Calendrier prévisionnel", "Démarches personnelles"):
        assert attendu in rubriques
    assert "CEP-02" in CEP.phase("niveau_2").regles


# --- eligibility (PMA-01..04, BCA-01) ----------------------------------------


@pytest.mark.parametrize("statut", ["rsa", "jeune_mission_locale", "demandeur_emploi", "salarie_chantier_insertion"])
def test_pma01_publics_eligibles(statut):
    assert PMA.verifier_eligibilite(faits(statut=statut, age=22)) == []


def test_pma01_autre_public_refuse_avec_reorientation():
    [refus] = PMA.verifier_eligibilite(faits(statut="autre"))
    assert refus.regle == "PMA-01"
    assert refus.code == "public"
    assert refus.reorientation_possible
    assert "publics éligibles" in refus.message


def test_pma01_jeune_mission_locale_moins_de_26_ans():
    assert PMA.verifier_eligibilite(faits(statut="jeune_mission_locale", age=25)) == []
    [refus] = PMA.verifier_eligibilite(faits(statut="jeune_mission_locale", age=26))
    assert (refus.regle, refus.code) == ("PMA-01", "age")
    assert "26 ans" in refus.message
    [inconnu] = PMA.verifier_eligibilite(faits(statut="jeune_mission_locale", age=None))
    assert inconnu.code == "age_inconnu"
    # The age limit only concerns the mission locale public.
    assert PMA.verifier_eligibilite(faits(statut="rsa", age=45)) == []


def test_pma02_projet_suivi_et_demarches_requis():
    refus = PMA.verifier_eligibilite(
        faits(projet_professionnel_defini=False, suivi_par_professionnel_insertion=False, demarches_engagees=False)
    )
    assert [(r.regle, r.code) for r in refus] == [
        ("PMA-02", "projet_professionnel"),
        ("PMA-02", "suivi_insertion"),
        ("PMA-02", "demarches"),
    ]
    assert all(r.reorientation_possible and r.message for r in refus)
    [seul] = PMA.verifier_eligibilite(faits(demarches_engagees=False))
    assert seul.code == "demarches"


def test_pma03_niveau_a2_minimum():
    for niveau in ("A2", "B1", "C2"):
        assert PMA.verifier_eligibilite(faits(niveau_francais=niveau)) == []
    [refus] = PMA.verifier_eligibilite(faits(niveau_francais="A1"))
    assert (refus.regle, refus.code) == ("PMA-03", "niveau_francais")
    assert refus.reorientation_possible and refus.reorientation_suggeree == "fle"
    assert "A2" in refus.message


def test_pma03_niveau_inconnu_demande_une_evaluation():
    [refus] = PMA.verifier_eligibilite(faits(niveau_francais="inconnu"))
    assert (refus.regle, refus.code) == ("PMA-03", "niveau_francais_inconnu")
    assert "évaluer" in refus.message


def test_pma03_reorientations_proposees():
    assert [cle for cle, _ in REORIENTATIONS] == ["fle", "tus", "mobilab", "autre"]
    assert PMA.reorientations == tuple(REORIENTATIONS)


def test_pma_plusieurs_criteres_en_echec_sont_tous_signales():
    refus = PMA.verifier_eligibilite(faits(statut="autre", niveau_francais="A1", demarches_engagees=False))
    assert [r.regle for r in refus] == ["PMA-01", "PMA-02", "PMA-03"]


def test_pma04_exclusion_apres_concertation_du_referent_ou_du_financeur():
    assert PMA.exclusion.regle == "PMA-04"
    assert PMA.exclusion.consultation == ("referent", "financeur")
    assert PMA.exclusion.au_moins_un


def test_bca01_moins_de_6_mois_d_inscription_avertit_sans_bloquer():
    recent = faits(statut="demandeur_emploi", mois_inscription=3, niveau_francais="inconnu", demarches_engagees=False)
    assert BCA.verifier_eligibilite(recent) == []
    [avertissement] = BCA.avertissements(recent)
    assert avertissement.regle == "BCA-01"
    assert "moins de 6 mois d'inscription" in avertissement.message
    assert BCA.avertissements(faits(mois_inscription=6)) == []
    # Unknown registration (co-traitant prescription): no warning.
    assert BCA.avertissements(faits(mois_inscription=None)) == []


def test_aucun_controle_bloquant_hors_pma():
    sans_rien = FaitsEligibilite(statut="autre")
    for autre in (MOV, BCA, BAM, CEP):
        assert autre.verifier_eligibilite(sans_rien) == []
    assert MOV.avertissements(faits(mois_inscription=1)) == []
    assert len(PMA.verifier_eligibilite(sans_rien)) == 5


def test_faits_eligibilite_valeurs_controlees():
    assert set(STATUTS) == {"demandeur_emploi", "rsa", "jeune_mission_locale", "salarie_chantier_insertion", "autre"}
    with pytest.raises(ValueError, match="Statut inconnu"):
        FaitsEligibilite(statut="retraite")
    with pytest.raises(ValueError, match="Niveau de français inconnu"):
        FaitsEligibilite(statut="rsa", niveau_francais="B3")


# --- payment (PAY-01..PAY-05) ------------------------------------------------


def test_pay01_30_pourcents_sur_ldc_contrat_et_bilan_intermediaire():
    j = jalon(MOV, "PAY-01")
    assert j.pourcentage_cumule == Decimal("30")
    assert montant_du(j, PRIX, Decimal("0")) == Decimal("450.00")
    pieces = {"lettre_de_commande", "contrat_accompagnement", "bilan_intermediaire"}
    assert [p.pieces for p in j.preuves_manquantes(pieces)] == [("emargement_bilan_intermediaire",)]
    assert j.pieces_completes(pieces | {"emargement_bilan_intermediaire"})


def test_pay02_90_pourcents_cumules_sur_bilan_final_et_emargement():
    j = jalon(MOV, "PAY-02")
    assert j.pourcentage_cumule == Decimal("90")
    assert j.declencheur == Declencheur.FIN_PRESTATION
    assert montant_du(j, PRIX, Decimal("450.00")) == Decimal("900.00")
    assert not j.pieces_completes({"bilan_final"})
    assert j.pieces_completes({"bilan_final", "emargement_bilan_final"})


def test_pay03_100_pourcents_apres_3_mois_dans_l_emploi_ou_l_entreprise():
    j = jalon(MOV, "PAY-03")
    assert j.pourcentage_cumule == Decimal("100") and j.delai_mois == 3
    assert montant_du(j, PRIX, Decimal("1350.00")) == Decimal("150.00")
    assert j.s_applique("emploi") and j.s_applique("entreprise")
    assert not j.s_applique("formation") and not j.pieces_completes({"contrat_travail"}, "formation")
    # Job: contract + (payslip or certificate of presence).
    assert not j.pieces_completes({"contrat_travail"}, "emploi")
    assert j.pieces_completes({"contrat_travail", "bulletin_salaire"}, "emploi")
    assert j.pieces_completes({"contrat_travail", "certificat_presence_emploi"}, "emploi")
    # Business: proof of creation and that it still exists.
    assert not j.pieces_completes({"preuve_creation_entreprise"}, "entreprise")
    assert j.pieces_completes({"preuve_creation_entreprise", "preuve_existence_entreprise"}, "entreprise")


def test_pay04_sortie_positive_anticipee_90_pourcents_cumules():
    j = jalon(MOV, "PAY-04")
    assert j.pourcentage_cumule == Decimal("90")
    assert j.declencheur == Declencheur.SORTIE_POSITIVE_ANTICIPEE
    assert montant_du(j, PRIX, Decimal("450.00")) == Decimal("900.00")
    assert montant_du(j, PRIX, Decimal("0")) == Decimal("1350.00")
    assert j.pieces_completes({"promesse_embauche"}, "emploi")
    assert j.pieces_completes({"attestation_entree_formation"}, "formation")
    assert not j.pieces_completes({"promesse_embauche"}, "formation")
    # After PAY-04, PAY-02 (also 90 % cumulative) pays nothing more; PAY-03 still pays 10 %.
    assert montant_du(jalon(MOV, "PAY-02"), PRIX, Decimal("1350.00")) == Decimal("0.00")
    assert montant_du(jalon(MOV, "PAY-03"), PRIX, Decimal("1350.00")) == Decimal("150.00")


def test_pay_montants_arrondis_au_centime_et_total_exact():
    prix = Decimal("1000.05")
    deja = Decimal("0")
    montants = []
    for regle_id in ("PAY-01", "PAY-02", "PAY-03"):
        m = montant_du(jalon(MOV, regle_id), prix, deja)
        montants.append(m)
        deja += m
    assert montants == [Decimal("300.02"), Decimal("600.03"), Decimal("100.00")]
    assert sum(montants) == prix
    with pytest.raises(TypeError):
        montant_du(jalon(MOV, "PAY-01"), 1500.0)


def test_pay05_preuves_requises_avant_reclamation():
    j = Jalon(
        cle="test",
        libelle="Test",
        pourcentage_cumule=Decimal("100"),
        regle="PAY-05",
        preuves=(preuve("lettre_de_commande"),),
    )
    assert not j.pieces_completes(set())
    assert j.pieces_completes({"lettre_de_commande"})
    with pytest.raises(ValueError, match="pièce inconnue"):
        Jalon(cle="x", libelle="X", pourcentage_cumule=Decimal("50"), regle="PAY-05", preuves=(preuve("selfie"),))
    with pytest.raises(ValueError, match="pourcentage"):
        Jalon(cle="x", libelle="X", pourcentage_cumule=Decimal("120"), regle="PAY-05")


def test_echeancier_du_marche_pour_les_autres_dispositifs():
    assert echeancier_effectif(MOV) == MOV.echeancier
    for autre in (BCA, BAM, PMA, CEP):
        assert autre.echeancier is None
        assert echeancier_effectif(autre) == ECHEANCIER_PAR_DEFAUT
    [solde] = ECHEANCIER_PAR_DEFAUT
    assert solde.pourcentage_cumule == Decimal("100") and solde.declencheur == Declencheur.FIN_PRESTATION
    marche = (
        Jalon(cle="acompte", libelle="Acompte", pourcentage_cumule=Decimal("50"), regle="PAY-05"),
        Jalon(cle="solde", libelle="Solde", pourcentage_cumule=Decimal("100"), regle="PAY-05"),
    )
    assert echeancier_effectif(BCA, marche) == marche
    # MOV's schedule is regulatory: a marché schedule does not replace it.
    assert echeancier_effectif(MOV, marche) == MOV.echeancier
    with pytest.raises(ValueError, match="100 %"):
        echeancier_effectif(BAM, marche[:1])
