"""The dispositif catalogue: rules are data (SPEC §2, §3): what the rule sets say about a
running case: renewal, suspensions, deadlines, entretiens, deliverables and phases. Pure Python, no database."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from prestations import dispositifs
from prestations.dispositifs.calendrier import duree_jours, jours_nets
from prestations.dispositifs.vocabulaire import RUBRIQUES_LIVRABLES
from tests.support.dispositifs import BAM, BCA, CEP, MOV, PMA

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
