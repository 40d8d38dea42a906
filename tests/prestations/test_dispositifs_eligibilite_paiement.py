"""The dispositif catalogue: rules are data (SPEC §2, §3): eligibility (PMA-01..04,
BCA-01) and the payment schedule (PAY-01..05). Pure Python, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prestations.dispositifs import FaitsEligibilite
from prestations.dispositifs.paiement import (
    ECHEANCIER_PAR_DEFAUT,
    Declencheur,
    Jalon,
    echeancier_effectif,
    montant_du,
    preuve,
)
from prestations.dispositifs.pma import REORIENTATIONS
from prestations.dispositifs.vocabulaire import STATUTS
from tests.support.dispositifs import BAM, BCA, CEP, MOV, PMA

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
