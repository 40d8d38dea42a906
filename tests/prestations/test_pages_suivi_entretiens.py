"""HTML pages of the prestation workflow (issue 4): the contractualisation, entretiens,
phases, actions of the parcours and group sessions, through their forms (HTMX or not).

Everything goes through the Django test client; the cases are set up with the
``dossiers`` fixture, through the services and the workflow (never by writing
``etat``). Rule ids name the tests where a rule is involved.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from prestations.models import ActionParcours, Entretien, Etat, Evenement, SessionCollective
from prestations.suivi import entretiens, suspensions
from tests.prestations.dossiers import DEBUT, PARIS, acteur, moment, recharger
from tests.support.pages_suivi import page_du_dossier, poster_entretien, saisie_locale, url_suivi

pytestmark = pytest.mark.django_db


# --- Contractualisation (MOV-05, MOV-06) ---------------------------------------------------


def test_mov05_contractualisation_signee_par_le_formulaire(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    client = client_de(monde.referent)
    page = page_du_dossier(client, prestation)
    assert "Enregistrer la contractualisation" in page and "Enregistrer un entretien" not in page
    response = client.post(
        url_suivi("prestation_contractualiser", prestation),
        {
            "contractualisation-debut": saisie_locale(DEBUT, 9),
            "contractualisation-duree_minutes": "60",
            "contractualisation-modalite": "presentiel",
            "contractualisation-signe": "oui",
            "contractualisation-compte_rendu": "Contrat lu et signé.",
        },
        follow=True,
    )
    contenu = response.content.decode()
    assert "Contractualisation enregistrée" in contenu
    prestation = recharger(prestation)
    assert prestation.etat == Etat.EN_COURS and prestation.phase == "phase_1"
    assert prestation.contractualisee_le == DEBUT
    assert "Contrat d&#x27;accompagnement signé le 23/11/2026" in contenu
    assert "Enregistrer un entretien" in contenu


def test_mov06_contrat_non_signe_la_prestation_est_refusee(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    response = client_de(monde.referent).post(
        url_suivi("prestation_contractualiser", prestation),
        {
            "contractualisation-debut": saisie_locale(DEBUT, 9),
            "contractualisation-duree_minutes": "30",
            "contractualisation-modalite": "presentiel",
            "contractualisation-signe": "non",
        },
        follow=True,
    )
    assert recharger(prestation).etat == Etat.REFUSEE
    assert "prestation refusée (MOV-06)" in response.content.decode()


def test_contractualisation_sans_reponse_signature_donne_une_erreur_de_champ(monde, dossiers, client_de):
    prestation = dossiers.nouveau()
    response = client_de(monde.referent).post(
        url_suivi("prestation_contractualiser", prestation),
        {"contractualisation-debut": saisie_locale(DEBUT, 9), "contractualisation-duree_minutes": "30"},
    )
    assert response.status_code == 400
    assert "Indiquez si le contrat est signé." in response.content.decode()
    assert recharger(prestation).etat == Etat.A_CONTRACTUALISER


# --- Entretiens --------------------------------------------------------------------------


def test_entretien_enregistre_par_le_formulaire_apparait_dans_l_historique(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    client = client_de(monde.referent)
    response = poster_entretien(client, prestation, saisie_locale(DEBUT, 9, 15))
    assert response.status_code == 302
    assert Entretien.objects.filter(prestation=prestation).count() == 2
    page = page_du_dossier(client, prestation)
    assert "Entretien du 23/11/2026 à 09:15 enregistré." in page
    assert "Entretien individuel en présentiel du 23/11/2026 à 09:15 (45 min)" in page


def test_entretien_saisi_apres_coup_dans_le_passe(monde, dossiers, client_de, time_machine):
    prestation = dossiers.signe_ce_matin()
    time_machine.move_to(datetime.datetime(2026, 11, 27, 18, 0, tzinfo=PARIS), tick=True)
    response = poster_entretien(client_de(monde.referent), prestation, saisie_locale(datetime.date(2026, 11, 25), 14))
    assert response.status_code == 302
    assert Entretien.objects.filter(prestation=prestation, debut=moment(datetime.date(2026, 11, 25), 14)).exists()


def test_entretien_dans_le_futur_refuse_sans_rien_changer(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    evenements = Evenement.objects.count()
    response = poster_entretien(client_de(monde.referent), prestation, saisie_locale(DEBUT + datetime.timedelta(1), 9))
    assert response.status_code == 400
    contenu = response.content.decode()
    assert "la date ne peut pas être future" in contenu
    assert 'aria-invalid="true"' in contenu
    assert Entretien.objects.filter(prestation=prestation).count() == 1
    assert Evenement.objects.count() == evenements


def test_entretien_htmx_renvoie_le_fragment_du_dossier(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    response = poster_entretien(client_de(monde.referent), prestation, saisie_locale(DEBUT, 9, 30), htmx=True)
    contenu = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in contenu and 'id="dossier"' in contenu
    assert "Entretien du 23/11/2026 à 09:30 enregistré." in contenu
    assert "Entretien individuel en présentiel du 23/11/2026 à 09:30" in contenu


def test_entretien_htmx_en_erreur_renvoie_le_formulaire_sur_son_conteneur(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    response = poster_entretien(
        client_de(monde.referent), prestation, saisie_locale(DEBUT + datetime.timedelta(1), 9), htmx=True
    )
    contenu = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx responses only
    assert response["HX-Retarget"] == "#action-entretien" and response["HX-Reswap"] == "outerHTML"
    assert "<html" not in contenu and 'id="action-entretien"' in contenu and 'id="dossier"' not in contenu
    assert "la date ne peut pas être future" in contenu
    assert Entretien.objects.filter(prestation=prestation).count() == 1


def test_mov09_entretien_pendant_une_suspension_refuse(monde, dossiers, client_de, time_machine):
    prestation = dossiers.signe_ce_matin()
    suspensions.declarer_suspension(
        acteur(monde.referent),
        prestation,
        motif="maladie",
        debut=DEBUT + datetime.timedelta(1),
        fin=DEBUT + datetime.timedelta(5),
    )
    time_machine.move_to(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=PARIS), tick=True)
    response = poster_entretien(client_de(monde.referent), prestation, saisie_locale(datetime.date(2026, 11, 25), 10))
    assert response.status_code == 400
    assert "pas d&#x27;entretien pendant une suspension" in response.content.decode()


# --- Phases (BCA-02, BAM-02, CEP-01) -------------------------------------------------------


def test_passage_a_la_phase_suivante_mov(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin()
    dossiers.entretien(prestation, DEBUT, heure=9, duree=45)
    client = client_de(monde.referent)
    assert "Passer à « Phase 2 – Construction et mise en œuvre du parcours »" in page_du_dossier(client, prestation)
    response = client.post(url_suivi("prestation_phase", prestation), {}, follow=True)
    assert recharger(prestation).phase == "phase_2"
    assert "Passage de « Phase 1" in response.content.decode()


def test_bca02_passage_de_phase_sans_entretien_refuse(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin("BCA")
    assert prestation.phase == "investigation"
    evenements = Evenement.objects.count()
    response = client_de(monde.referent).post(url_suivi("prestation_phase", prestation), {})
    assert response.status_code == 409
    contenu = response.content.decode()
    assert "La phase « Investigation du potentiel » demande au moins 1 entretien individuel" in contenu
    assert 'role="alert"' in contenu and "BCA-02" in contenu
    assert recharger(prestation).phase == "investigation"
    assert Evenement.objects.count() == evenements


def test_bca02_refus_htmx_montre_le_message_dans_le_formulaire(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin("BCA")
    response = client_de(monde.referent).post(url_suivi("prestation_phase", prestation), {}, HTTP_HX_REQUEST="true")
    contenu = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == "#action-phase"
    assert 'role="alert"' in contenu and "demande au moins 1 entretien" in contenu


def test_bam02_fin_anticipee_apres_le_bilan_initial(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin("BAM")
    client = client_de(monde.referent)
    page = page_du_dossier(client, prestation)
    assert "Terminer après « Bilan initial »" in page
    response = client.post(
        url_suivi("prestation_fin_anticipee", prestation),
        {"fin_anticipee-motif": "absence_frein_mobilite"},
        follow=True,
    )
    assert recharger(prestation).etat == Etat.TERMINEE
    assert "Fin après « Bilan initial »" in response.content.decode()


def test_cep01_changement_de_niveau_au_choix(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin("CEP")
    assert prestation.phase == "niveau_1"
    client = client_de(monde.referent)
    sans_choix = client.post(url_suivi("prestation_phase", prestation), {})
    assert sans_choix.status_code == 400 and "Choisissez la phase à ouvrir." in sans_choix.content.decode()
    response = client.post(url_suivi("prestation_phase", prestation), {"phase-cible": "niveau_2"}, follow=True)
    assert recharger(prestation).phase == "niveau_2"
    assert "Passage de « Niveau 1 – Accueil individualisé » à « Niveau 2" in response.content.decode()


# --- Actions of the parcours (BAM-03, CEP-02) ---------------------------------------------------


def test_bam03_action_payante_sans_cout_refusee_puis_ajoutee_et_realisee(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin("BAM")
    client = client_de(monde.referent)
    assert "Carnet de suivi (BAM-03)" in page_du_dossier(client, prestation)
    data = {"action-nature": "service_payant", "action-libelle": "Location de scooter", "action-statut": "prevue"}
    refus = client.post(url_suivi("prestation_action", prestation), data)
    assert refus.status_code == 400
    assert "Un service payant s&#x27;enregistre avec son coût (BAM-03)." in refus.content.decode()
    client.post(
        url_suivi("prestation_action", prestation), {**data, "action-cout": "120", "action-aides_mobilisables": "AIF"}
    )
    action = ActionParcours.objects.get(prestation=prestation)
    response = client.post(
        url_suivi("prestation_action_statut", prestation, action.pk),
        {f"statut_action_{action.pk}-statut": "realisee"},
        follow=True,
    )
    action.refresh_from_db()
    assert action.statut == "realisee"
    assert "Location de scooter — réalisée" in response.content.decode()


# --- Group sessions (EMA-01, BAM-03) ----------------------------------------------------------


def test_ema01_session_collective_creation_et_presence_du_participant(monde, dossiers, client_de):
    prestation = dossiers.signe_ce_matin(nom="Aubert")
    client = client_de(monde.referent)
    assert client.get(reverse("prestations:sessions")).status_code == 200
    response = client.post(
        reverse("prestations:session_creer"),
        {
            "session-titre": "Atelier CV",
            "session-debut": saisie_locale(DEBUT, 9),
            "session-duree_minutes": "60",
            "session-modalite": "presentiel",
        },
    )
    session = SessionCollective.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "prestations:session_detail", args=[session.pk]
    )
    response = client.post(
        reverse("prestations:session_participant", args=[session.pk]),
        {"participant-prestation": prestation.pk, "participant-presence": "present"},
        HTTP_HX_REQUEST="true",
    )
    contenu = response.content.decode()
    assert response.status_code == 200 and "<html" not in contenu and "Aubert" in contenu
    assert Entretien.objects.get(session=session).prestation == prestation
    dossier_page = page_du_dossier(client, prestation)
    assert "Session collective : Atelier CV" in dossier_page
    assert "Entretien collectif en présentiel du 23/11/2026 à 09:00 (60 min)" in dossier_page  # the timeline
    # Another prestataire does not see the session.
    assert client_de(monde.referent_y).get(reverse("prestations:session_detail", args=[session.pk])).status_code == 404
    assert client_de(monde.prescripteur).get(reverse("prestations:sessions")).status_code == 403


def test_bam03_septieme_participant_d_un_micro_collectif_refuse(monde, dossiers, client_de):
    referent = acteur(monde.referent)
    prestations = []
    for i in range(7):
        prestation = dossiers.signe_ce_matin("BAM", nom=f"Participant{i}")
        entretiens.passer_phase(referent, prestation)
        prestations.append(recharger(prestation))
    assert prestations[0].phase == "parcours_mobilite"
    session = entretiens.creer_session(
        referent,
        titre="Micro-collectif mobilité",
        debut=moment(DEBUT, 9),
        duree_minutes=90,
        modalite="presentiel",
    )
    for prestation in prestations[:6]:
        entretiens.ajouter_participant(referent, session, prestation, presence="present")
    response = client_de(monde.referent).post(
        reverse("prestations:session_participant", args=[session.pk]),
        {"participant-prestation": prestations[6].pk, "participant-presence": "present"},
    )
    assert response.status_code == 409
    contenu = response.content.decode()
    assert 'role="alert"' in contenu and "La session compte déjà 6 participants : 6 au plus (BAM-03)." in contenu
    assert Entretien.objects.filter(session=session).count() == 6
