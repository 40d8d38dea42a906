"""Outcome classification (SOR-01..SOR-04). Pure Python, no database."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from prestations.dispositifs.vocabulaire import SORTIES_POSITIVES
from prestations.sorties import (
    TYPES_ISSUE_POSITIVE_POSSIBLE,
    Classement,
    FaitsSortie,
    FormeEntreprise,
    NatureEntreprise,
    TypeContrat,
    TypeSortie,
    categorie_sortie_positive,
    classer_sortie,
    valider_faits_sortie,
)

DATE = date(2026, 6, 15)


def emploi(type_contrat=TypeContrat.CDI, **kwargs) -> FaitsSortie:
    return FaitsSortie(type_sortie=TypeSortie.EMPLOI, date_sortie=DATE, type_contrat=type_contrat, **kwargs)


def formation(**kwargs) -> FaitsSortie:
    kwargs.setdefault("formation_continue", True)
    return FaitsSortie(type_sortie=TypeSortie.FORMATION, date_sortie=DATE, **kwargs)


def entreprise(forme=FormeEntreprise.SOCIETE, nature=NatureEntreprise.CREATION, **kwargs) -> FaitsSortie:
    return FaitsSortie(
        type_sortie=TypeSortie.CREATION_ENTREPRISE,
        date_sortie=DATE,
        forme_entreprise=forme,
        nature_entreprise=nature,
        **kwargs,
    )


def erreurs(faits: FaitsSortie) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        valider_faits_sortie(faits)
    # classer_sortie validates first and refuses the same facts.
    with pytest.raises(ValidationError):
        classer_sortie(faits)
    return exc.value.message_dict


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------


def test_sor_categories_correspondent_a_sorties_positives():
    assert set(TYPES_ISSUE_POSITIVE_POSSIBLE) == {"emploi", "formation", "creation_entreprise"}
    assert categorie_sortie_positive("emploi") == "emploi"
    assert categorie_sortie_positive("formation") == "formation"
    assert categorie_sortie_positive("creation_entreprise") == "entreprise"
    assert {categorie_sortie_positive(t) for t in TYPES_ISSUE_POSITIVE_POSSIBLE} == set(SORTIES_POSITIVES)
    for type_sortie in set(TypeSortie.values) - TYPES_ISSUE_POSITIVE_POSSIBLE:
        assert categorie_sortie_positive(type_sortie) is None


def test_sor04_types_de_sortie_et_libelles():
    assert TypeSortie.values == [
        "emploi",
        "formation",
        "creation_entreprise",
        "terme_sans_emploi",
        "abandon",
        "refus",
        "interruption",
        "interruption_ecart_entretiens",
        "exclusion",
        "reorientation",
        "fin_anticipee",
    ]
    assert len(set(TypeSortie.labels)) == len(TypeSortie.labels)
    assert "14 jours" in TypeSortie.INTERRUPTION_ECART_ENTRETIENS.label
    assert TypeContrat.values == ["cdi", "cdd", "contrat_aide", "interim", "alternance", "autre"]
    assert FormeEntreprise.values == ["micro_entrepreneur", "entreprise_individuelle", "societe"]
    assert NatureEntreprise.values == ["creation", "reprise"]


# ---------------------------------------------------------------------------
# SOR-01 job
# ---------------------------------------------------------------------------


def test_sor01_cdi_79_heures_mensuelles_positive():
    resultat = classer_sortie(emploi(TypeContrat.CDI, temps_plein=False, heures_mensuelles=Decimal("79")))
    assert resultat == Classement(
        positive=True,
        categorie="emploi",
        regle="SOR-01",
        explication=resultat.explication,
    )
    assert "79 heures par mois" in resultat.explication
    assert resultat.explication.startswith("Sortie positive")


def test_sor01_cdi_78_heures_mensuelles_non_positive():
    resultat = classer_sortie(emploi(TypeContrat.CDI, temps_plein=False, heures_mensuelles=78))
    assert resultat.positive is False
    assert resultat.categorie is None
    assert resultat.regle == "SOR-01"
    assert "78 heures par mois" in resultat.explication
    assert "plus de 78 heures par mois" in resultat.explication


def test_sor01_cdi_78_heures_et_quelques_minutes_positive():
    assert classer_sortie(emploi(heures_mensuelles=Decimal("78.01"))).positive is True


def test_sor01_cdi_heures_seules_sans_temps_plein_renseigne():
    assert classer_sortie(emploi(heures_mensuelles=Decimal("78"))).positive is False
    assert classer_sortie(emploi(heures_mensuelles=Decimal("120"))).positive is True


def test_sor01_cdi_temps_plein_positive():
    resultat = classer_sortie(emploi(TypeContrat.CDI, temps_plein=True))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (True, "emploi", "SOR-01")
    assert "CDI à temps plein" in resultat.explication


def test_sor01_cdd_3_mois_temps_plein_positive():
    resultat = classer_sortie(emploi(TypeContrat.CDD, duree_contrat_mois=3, temps_plein=True))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (True, "emploi", "SOR-01")
    assert "CDD de 3 mois à temps plein" in resultat.explication


def test_sor01_cdd_3_mois_79_heures_positive():
    resultat = classer_sortie(emploi(TypeContrat.CDD, duree_contrat_mois=3, temps_plein=False, heures_mensuelles=79))
    assert resultat.positive is True


def test_sor01_cdd_3_mois_78_heures_non_positive():
    resultat = classer_sortie(emploi(TypeContrat.CDD, duree_contrat_mois=3, temps_plein=False, heures_mensuelles=78))
    assert (resultat.positive, resultat.regle) == (False, "SOR-01")


def test_sor01_cdd_moins_de_3_mois_non_positive():
    resultat = classer_sortie(emploi(TypeContrat.CDD, duree_contrat_mois=Decimal("2.9"), temps_plein=True))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (False, None, "SOR-01")
    assert "2,9 mois" in resultat.explication
    assert "au moins 3 mois" in resultat.explication


@pytest.mark.parametrize("type_contrat", [TypeContrat.INTERIM, TypeContrat.ALTERNANCE])
def test_sor01_interim_et_alternance_traites_comme_un_cdd(type_contrat):
    assert classer_sortie(emploi(type_contrat, duree_contrat_mois=3, temps_plein=True)).positive is True
    assert classer_sortie(emploi(type_contrat, duree_contrat_mois=Decimal("2.9"), temps_plein=True)).positive is False
    assert classer_sortie(emploi(type_contrat, duree_contrat_mois=6, heures_mensuelles=78)).positive is False
    assert erreurs(emploi(type_contrat, temps_plein=True)) == {
        "duree_contrat_mois": [f"Indiquez la durée du contrat en mois ({type_contrat.label})."]
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"duree_contrat_mois": 1},
        {"duree_contrat_mois": 1, "temps_plein": False, "heures_mensuelles": 20},
    ],
)
def test_sor01_contrat_aide_toujours_positive(kwargs):
    resultat = classer_sortie(emploi(TypeContrat.CONTRAT_AIDE, **kwargs))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (True, "emploi", "SOR-01")
    assert "contrat aidé" in resultat.explication


def test_sor01_autre_contrat_non_positive():
    resultat = classer_sortie(emploi(TypeContrat.AUTRE))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (False, None, "SOR-01")


# ---------------------------------------------------------------------------
# SOR-02 training
# ---------------------------------------------------------------------------


def test_sor02_160h_a_20h_par_semaine_positive():
    resultat = classer_sortie(formation(formation_heures_total=160, formation_heures_hebdo=20))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (True, "formation", "SOR-02")
    assert "160 heures à 20 heures par semaine" in resultat.explication


def test_sor02_160h_a_19h_par_semaine_non_positive():
    resultat = classer_sortie(formation(formation_heures_total=160, formation_heures_hebdo=19))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (False, None, "SOR-02")
    assert "au moins 20 heures par semaine" in resultat.explication


def test_sor02_159h_non_positive():
    resultat = classer_sortie(formation(formation_heures_total=159, formation_heures_hebdo=20))
    assert (resultat.positive, resultat.regle) == (False, "SOR-02")
    assert "au moins 160 heures au total" in resultat.explication


def test_sor02_afpr_positive():
    resultat = classer_sortie(formation(convention_afpr=True, formation_continue=None))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (True, "formation", "SOR-02")
    assert "AFPR" in resultat.explication
    # Even a short AFPR is positive.
    court = formation(convention_afpr=True, formation_heures_total=80, formation_heures_hebdo=10)
    assert classer_sortie(court).positive is True


def test_sor02_formation_discontinue_non_positive():
    resultat = classer_sortie(
        formation(formation_heures_total=400, formation_heures_hebdo=35, formation_continue=False)
    )
    assert (resultat.positive, resultat.regle) == (False, "SOR-02")
    assert "non dispensée en continu" in resultat.explication


# ---------------------------------------------------------------------------
# SOR-03 business
# ---------------------------------------------------------------------------


def test_sor03_creation_societe_positive():
    resultat = classer_sortie(entreprise(FormeEntreprise.SOCIETE, NatureEntreprise.CREATION))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (True, "entreprise", "SOR-03")
    assert "création" in resultat.explication


@pytest.mark.parametrize("forme", [FormeEntreprise.SOCIETE, FormeEntreprise.ENTREPRISE_INDIVIDUELLE])
def test_sor03_reprise_ou_entreprise_individuelle_positive(forme):
    assert classer_sortie(entreprise(forme, NatureEntreprise.REPRISE)).positive is True
    assert classer_sortie(entreprise(forme, NatureEntreprise.CREATION)).positive is True


@pytest.mark.parametrize("nature", [NatureEntreprise.CREATION, NatureEntreprise.REPRISE])
def test_sor03_auto_entrepreneur_refuse_comme_sortie_positive(nature):
    resultat = classer_sortie(entreprise(FormeEntreprise.MICRO_ENTREPRENEUR, nature))
    assert (resultat.positive, resultat.categorie, resultat.regle) == (False, None, "SOR-03")
    assert "auto-entrepreneur" in resultat.explication
    assert "exclut" in resultat.explication


# ---------------------------------------------------------------------------
# SOR-04 other ends
# ---------------------------------------------------------------------------

TYPES_NEGATIFS = [t for t in TypeSortie if t.value not in TYPES_ISSUE_POSITIVE_POSSIBLE]


@pytest.mark.parametrize("type_sortie", TYPES_NEGATIFS, ids=[t.value for t in TYPES_NEGATIFS])
def test_sor04_chaque_motif_est_distinct_et_non_positif(type_sortie):
    resultat = classer_sortie(FaitsSortie(type_sortie=type_sortie, date_sortie=DATE, motif="détail"))
    assert resultat == Classement(
        positive=False,
        categorie=None,
        regle="SOR-04",
        explication=f"Sortie non positive : {type_sortie.label}.",
    )
    autres = [t for t in TYPES_NEGATIFS if t != type_sortie]
    assert all(t.label not in resultat.explication for t in autres if t.label not in type_sortie.label)


def test_sor04_huit_motifs_distincts():
    assert {t.value for t in TYPES_NEGATIFS} == {
        "terme_sans_emploi",
        "abandon",
        "refus",
        "interruption",
        "interruption_ecart_entretiens",
        "exclusion",
        "reorientation",
        "fin_anticipee",  # BAM-02
    }
    explications = {classer_sortie(FaitsSortie(type_sortie=t, date_sortie=DATE)).explication for t in TYPES_NEGATIFS}
    assert len(explications) == len(TYPES_NEGATIFS)


# ---------------------------------------------------------------------------
# Validation: missing or contradictory facts
# ---------------------------------------------------------------------------


def test_sor_validation_type_et_date_obligatoires():
    assert erreurs(FaitsSortie(type_sortie="", date_sortie=None)) == {
        "type_sortie": ["Indiquez le type de sortie."],
        "date_sortie": ["Indiquez la date de sortie."],
    }
    assert erreurs(FaitsSortie(type_sortie="licenciement", date_sortie=DATE)) == {
        "type_sortie": ["Valeur inconnue : « licenciement »."]
    }
    assert erreurs(FaitsSortie(type_sortie="abandon", date_sortie=datetime(2026, 6, 15, 10, 0))) == {
        "date_sortie": ["Saisissez une date."]
    }


def test_sor01_validation_emploi_sans_type_de_contrat():
    assert erreurs(emploi(type_contrat=None, temps_plein=True)) == {
        "type_contrat": ["Indiquez le type de contrat de travail."]
    }


def test_sor01_validation_cdd_sans_duree():
    assert erreurs(emploi(TypeContrat.CDD, temps_plein=True)) == {
        "duree_contrat_mois": ["Indiquez la durée du contrat en mois (CDD)."]
    }


def test_sor01_validation_cdi_avec_duree():
    assert erreurs(emploi(TypeContrat.CDI, duree_contrat_mois=6, temps_plein=True)) == {
        "duree_contrat_mois": ["Un CDI n'a pas de durée : laissez ce champ vide."]
    }


@pytest.mark.parametrize(
    ("duree", "message"),
    [
        (0, "Saisissez un nombre strictement positif."),
        (-3, "Saisissez un nombre strictement positif."),
        (Decimal("120.5"), "Saisissez au plus 120 mois."),
        ("trois", "Saisissez un nombre."),
    ],
)
def test_sor01_validation_duree_hors_bornes(duree, message):
    assert erreurs(emploi(TypeContrat.CDD, duree_contrat_mois=duree, temps_plein=True)) == {
        "duree_contrat_mois": [message]
    }


def test_sor01_validation_duree_120_mois_acceptee():
    assert classer_sortie(emploi(TypeContrat.CDD, duree_contrat_mois=120, temps_plein=True)).positive is True


@pytest.mark.parametrize(
    ("heures", "message"),
    [
        (0, "Saisissez un nombre strictement positif."),
        (Decimal("-10"), "Saisissez un nombre strictement positif."),
        (Decimal("220.01"), "Saisissez au plus 220 heures par mois."),
    ],
)
def test_sor01_validation_heures_mensuelles_hors_bornes(heures, message):
    assert erreurs(emploi(TypeContrat.CDI, heures_mensuelles=heures)) == {"heures_mensuelles": [message]}


def test_sor01_validation_temps_plein_avec_trop_peu_d_heures():
    assert erreurs(emploi(TypeContrat.CDI, temps_plein=True, heures_mensuelles=Decimal("150.99"))) == {
        "heures_mensuelles": [
            "Un temps plein représente 151,67 heures par mois (35 heures par semaine) : "
            "150,99 heures par mois est un temps partiel."
        ]
    }
    # 151 h is within the rounding tolerance.
    assert classer_sortie(emploi(TypeContrat.CDI, temps_plein=True, heures_mensuelles=151)).positive is True


def test_sor01_validation_temps_partiel_avec_heures_de_temps_plein():
    assert erreurs(emploi(TypeContrat.CDI, temps_plein=False, heures_mensuelles=Decimal("151.67"))) == {
        "heures_mensuelles": [
            "Un temps partiel compte moins de 151,67 heures par mois : 151,67 heures par mois est un temps plein."
        ]
    }


def test_sor01_validation_horaire_inconnu():
    assert erreurs(emploi(TypeContrat.CDI)) == {
        "heures_mensuelles": ["Indiquez si le contrat est à temps plein ou son nombre d'heures par mois."]
    }
    assert erreurs(emploi(TypeContrat.CDD, duree_contrat_mois=4, temps_plein=False)) == {
        "heures_mensuelles": ["Indiquez le nombre d'heures par mois de ce temps partiel."]
    }


def test_sor01_validation_informations_de_formation_sur_un_emploi():
    faits = FaitsSortie(
        type_sortie=TypeSortie.EMPLOI,
        date_sortie=DATE,
        type_contrat=TypeContrat.CDI,
        temps_plein=True,
        formation_heures_total=200,
        convention_afpr=True,
    )
    assert erreurs(faits) == {
        "formation_heures_total": ["Ces informations ne concernent pas une sortie en formation."],
        "convention_afpr": ["Ces informations ne concernent pas une sortie en formation."],
    }


def test_sor02_validation_informations_d_emploi_sur_une_formation():
    faits = formation(formation_heures_total=200, formation_heures_hebdo=30, type_contrat=TypeContrat.CDD)
    assert erreurs(faits) == {"type_contrat": ["Ces informations ne concernent pas une sortie en emploi."]}


def test_sor02_validation_formation_sans_heures():
    assert erreurs(formation(formation_continue=None)) == {
        "formation_heures_total": ["Indiquez la durée totale de la formation en heures."],
        "formation_heures_hebdo": ["Indiquez le nombre d'heures de formation par semaine."],
        "formation_continue": [
            "Indiquez si la formation est dispensée en continu (hors fermetures de l'organisme pour congés)."
        ],
    }


def test_sor02_validation_heures_hebdo_superieures_au_total():
    assert erreurs(formation(formation_heures_total=30, formation_heures_hebdo=35)) == {
        "formation_heures_hebdo": [
            "Le nombre d'heures par semaine (35) dépasse la durée totale de la formation (30 heures)."
        ]
    }


def test_sor02_validation_heures_hebdo_hors_bornes():
    assert erreurs(formation(formation_heures_total=400, formation_heures_hebdo=49)) == {
        "formation_heures_hebdo": ["Saisissez au plus 48 heures par semaine."]
    }
    assert erreurs(formation(formation_heures_total=-160, formation_heures_hebdo=20)) == {
        "formation_heures_total": ["Saisissez un nombre strictement positif."]
    }


def test_sor03_validation_creation_sans_forme_ni_nature():
    assert erreurs(entreprise(forme=None, nature=None)) == {
        "forme_entreprise": ["Indiquez la forme juridique de l'entreprise."],
        "nature_entreprise": ["Indiquez s'il s'agit d'une création ou d'une reprise d'entreprise."],
    }


def test_sor03_validation_informations_d_entreprise_sur_un_abandon():
    faits = FaitsSortie(
        type_sortie=TypeSortie.ABANDON,
        date_sortie=DATE,
        forme_entreprise=FormeEntreprise.SOCIETE,
        heures_mensuelles=100,
    )
    assert erreurs(faits) == {
        "forme_entreprise": ["Ces informations ne concernent pas une création ou reprise d'entreprise."],
        "heures_mensuelles": ["Ces informations ne concernent pas une sortie en emploi."],
    }
