"""HTML pages of the prestation workflow (issue 4): suspensions (MOV-07, MOV-09),
périodes en entreprise (MOV-12), sorties and the suivi dans l'emploi (SOR-01..04,
MOV-13), interruptions (PMA-04), through their forms.

Everything goes through the Django test client; the cases are set up with the
``dossiers`` fixture, through the services and the workflow (never by writing
``etat``). Rule ids name the tests where a rule is involved.
"""

from __future__ import annotations

import datetime

import pytest

from prestations.models import Etat, PeriodeEnEntreprise, Suspension
from prestations.suivi import suspensions
from tests.prestations.dossiers import DEBUT, PARIS, acteur, recharger
from tests.support.pages_suivi import page_du_dossier, poster_entretien, saisie_locale, url_suivi

pytestmark = pytest.mark.django_db


SIRET = "73282932000074"


# --- Suspensions (MOV-07, MOV-09) ------------------------------------------------------------


def _poster_suspension(client, prestation, motif, debut, fin):
    return client.post(
        url_suivi("prestation_suspension", prestation),
        {
            "suspension-motif": motif,
            "suspension-debut": debut.isoformat(),
            "suspension-fin": fin.isoformat(),
            "suspension-commentaire": "Arrêt de travail",
        },
    )


def test_mov09_suspension_maladie_de_14_jours_acceptee_date_de_fin_inchangee(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    fin_prevue = prestation.date_fin
    client = client_de(monde.referent)
    debut = DEBUT + datetime.timedelta(days=1)
    response = _poster_suspension(client, prestation, "maladie", debut, debut + datetime.timedelta(days=13))
    assert response.status_code == 302
    assert Suspension.objects.get(prestation=prestation).jours == 14
    assert recharger(prestation).date_fin == fin_prevue  # MOV-07
    page = page_du_dossier(client, prestation)
    assert "Suspension (maladie) du 24/11/2026 au 07/12/2026, 14 jours" in page
    assert "Mettre fin à la suspension" in page


def test_mov09_suspension_maladie_de_15_jours_refusee(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    debut = DEBUT + datetime.timedelta(days=1)
    response = _poster_suspension(
        client_de(monde.referent), prestation, "maladie", debut, debut + datetime.timedelta(days=14)
    )
    assert response.status_code == 400
    assert "15 jours consécutifs, au-delà des 14 jours consécutifs autorisés (MOV-09)" in response.content.decode()
    assert not Suspension.objects.exists()


def test_mov09_mettre_fin_a_une_suspension(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    suspension = suspensions.declarer_suspension(
        acteur(monde.referent),
        prestation,
        motif="conges",
        debut=DEBUT + datetime.timedelta(1),
        fin=DEBUT + datetime.timedelta(9),
    )
    cle = f"fin_suspension_{suspension.pk}"
    response = client_de(monde.referent).post(
        url_suivi("prestation_fin_suspension", prestation, suspension.pk),
        {f"{cle}-fin": (DEBUT + datetime.timedelta(3)).isoformat()},
        follow=True,
    )
    suspension.refresh_from_db()
    assert suspension.fin == DEBUT + datetime.timedelta(3)
    assert "Fin de la suspension avancée au 26/11/2026" in response.content.decode()


# --- Périodes en entreprise (MOV-12) ---------------------------------------------------------


def _poster_periode(client, prestation, debut, fin, siret=SIRET):
    return client.post(
        url_suivi("prestation_periode", prestation),
        {
            "periode-entreprise": "Boulangerie Martin",
            "periode-siret": siret,
            "periode-debut": debut.isoformat(),
            "periode-fin": fin.isoformat(),
            "periode-tuteur": "M. Martin",
            "periode-tuteur_fonction": "Gérant",
            "periode-tuteur_contact": "04 70 00 00 00",
            "periode-objectif": "Découvrir le métier",
        },
    )


def test_mov12_periode_en_entreprise_de_6_semaines(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    client = client_de(monde.referent)
    debut = DEBUT + datetime.timedelta(days=7)
    response = _poster_periode(client, prestation, debut, debut + datetime.timedelta(days=41))
    assert response.status_code == 302
    assert PeriodeEnEntreprise.objects.get(prestation=prestation).tuteur == "M. Martin"
    assert "Période en entreprise chez Boulangerie Martin du 30/11/2026 au 10/01/2027" in page_du_dossier(
        client, prestation
    )


def test_mov12_periode_de_6_semaines_et_un_jour_refusee(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    debut = DEBUT + datetime.timedelta(days=7)
    response = _poster_periode(client_de(monde.referent), prestation, debut, debut + datetime.timedelta(days=42))
    assert response.status_code == 400
    assert "elle doit durer de 7 à 42 jours (MOV-12)" in response.content.decode()
    assert not PeriodeEnEntreprise.objects.exists()


def test_mov12_siret_invalide_refuse(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    debut = DEBUT + datetime.timedelta(days=7)
    response = _poster_periode(
        client_de(monde.referent), prestation, debut, debut + datetime.timedelta(days=10), siret="12345678901234"
    )
    assert response.status_code == 400
    assert "n&#x27;est pas valide" in response.content.decode()


# --- Sorties (SOR-01..04, MOV-13) and interruptions (PMA-04) -------------------------------


def _poster_sortie(client, prestation, **champs):
    data = {"sortie-date_sortie": DEBUT.isoformat(), **{f"sortie-{k}": v for k, v in champs.items()}}
    return client.post(url_suivi("prestation_sortie", prestation), data, follow=True)


def test_sor01_sortie_positive_en_cdi_ouvre_le_suivi_dans_l_emploi_mov13(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    response = _poster_sortie(
        client_de(monde.referent),
        prestation,
        type="emploi",
        employeur="Boulangerie Martin",
        type_contrat="cdi",
        temps_plein="oui",
        # Facts of another outcome type left in hidden fields are not sent.
        formation_heures_total="10",
    )
    contenu = response.content.decode()
    prestation = recharger(prestation)
    assert prestation.etat == Etat.SUIVI_EMPLOI and prestation.sortie.positive
    assert "Sortie positive : CDI à temps plein" in contenu
    assert "Sortie : Emploi le 23/11/2026 — positive (SOR-01)." in contenu  # the timeline
    assert "Suivi dans l&#x27;emploi (MOV-13)" in contenu and "Première semaine" in contenu
    assert "Clore le suivi dans l&#x27;emploi" in contenu
    assert "La personne est-elle toujours en emploi ou en formation ?" in contenu


def test_sor01_temps_plein_de_50_heures_contradictoire_refuse(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    response = client_de(monde.referent).post(
        url_suivi("prestation_sortie", prestation),
        {
            "sortie-type": "emploi",
            "sortie-date_sortie": DEBUT.isoformat(),
            "sortie-type_contrat": "cdi",
            "sortie-temps_plein": "oui",
            "sortie-heures_mensuelles": "50",
        },
    )
    assert response.status_code == 400
    assert "est un temps partiel" in response.content.decode()
    assert recharger(prestation).etat == Etat.EN_COURS


def test_sor03_auto_entrepreneur_non_positif(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    response = _poster_sortie(
        client_de(monde.referent),
        prestation,
        type="creation_entreprise",
        forme_entreprise="micro_entrepreneur",
        nature_entreprise="creation",
    )
    prestation = recharger(prestation)
    assert prestation.etat == Etat.TERMINEE and not prestation.sortie.positive
    assert "Sortie non positive" in response.content.decode()


def test_mov13_entretien_de_suivi_puis_cloture(monde, dossiers, client_de, time_machine):
    prestation = dossiers.signe_ce_matin()
    client = client_de(monde.referent)
    _poster_sortie(client, prestation, type="formation", convention_afpr="on")
    prestation = recharger(prestation)
    assert prestation.etat == Etat.SUIVI_EMPLOI
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=PARIS), tick=True)
    sans_reponse = poster_entretien(
        client, prestation, saisie_locale(datetime.date(2026, 11, 26), 9), modalite="telephone"
    )
    assert sans_reponse.status_code == 400
    assert "Indiquez si la personne est toujours en emploi ou en formation (MOV-13)." in sans_reponse.content.decode()
    response = poster_entretien(
        client,
        prestation,
        saisie_locale(datetime.date(2026, 11, 26), 9),
        modalite="telephone",
        toujours_en_emploi="non",
    )
    assert response.status_code == 302
    response = client.post(url_suivi("prestation_cloture", prestation), {}, follow=True)
    assert recharger(prestation).etat == Etat.TERMINEE
    assert "la personne n&#x27;est plus en poste" in response.content.decode()


def test_mov13_cloture_avant_trois_mois_refusee(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    client = client_de(monde.referent)
    _poster_sortie(client, prestation, type="formation", convention_afpr="on")
    response = client.post(url_suivi("prestation_cloture", prestation), {})
    assert response.status_code == 409
    assert "Le suivi dans l&#x27;emploi court jusqu&#x27;au" in response.content.decode()
    assert recharger(prestation).etat == Etat.SUIVI_EMPLOI


def test_sor04_interruption_pour_abandon(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    response = client_de(monde.referent).post(
        url_suivi("prestation_interruption", prestation),
        {
            "interruption-type": "abandon",
            "interruption-motif": "Ne se présente plus.",
            "interruption-date_sortie": DEBUT.isoformat(),
        },
        follow=True,
    )
    assert recharger(prestation).etat == Etat.INTERROMPUE
    assert "Prestation interrompue le 23/11/2026 : Abandon — Ne se présente plus." in response.content.decode()


def test_pma04_exclusion_sans_consultation_refusee_puis_acceptee(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin("PMA")
    client = client_de(monde.referent)
    data = {
        "interruption-type": "exclusion",
        "interruption-motif": "Absences répétées sans justification.",
        "interruption-date_sortie": DEBUT.isoformat(),
    }
    refus = client.post(url_suivi("prestation_interruption", prestation), data)
    assert refus.status_code == 400
    assert "après consultation du référent ou du financeur (PMA-04)" in refus.content.decode()
    assert recharger(prestation).etat == Etat.EN_COURS
    client.post(url_suivi("prestation_interruption", prestation), {**data, "interruption-consultation_financeur": "on"})
    prestation = recharger(prestation)
    assert prestation.etat == Etat.INTERROMPUE and prestation.sortie.consultation_financeur
