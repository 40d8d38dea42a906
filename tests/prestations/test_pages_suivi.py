"""HTML pages of the prestation workflow (issue 4): list, case page, HTMX forms, sessions.

Everything goes through the Django test client; the cases are set up through the
services and the workflow (never by writing ``etat``). Rule ids name the tests where a
rule is involved.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.acteurs import Acteur
from comptes.models import Role
from prestations.commandes import services
from prestations.models import (
    ActionParcours,
    Entretien,
    Etat,
    Evenement,
    PeriodeEnEntreprise,
    Prestation,
    SessionCollective,
    Suspension,
)
from prestations.suivi import contractualisation, entretiens, parcours, suspensions
from tests.factories import MarcheFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
AUJOURD_HUI = datetime.date(2026, 11, 23)  # the monde fixture's frozen day (10:00 in Paris)
SIRET = "73282932000074"


def _acteur(membership):
    return Acteur(membership.user, membership)


def _a_paris(jour: datetime.date, heure: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(jour.year, jour.month, jour.day, heure, minute, tzinfo=PARIS)


def _local(jour: datetime.date, heure: int, minute: int = 0) -> str:
    return f"{jour:%Y-%m-%d}T{heure:02d}:{minute:02d}"


def _url(nom, prestation, *args):
    return reverse(f"prestations:{nom}", args=[prestation.pk, *args])


def _recharger(prestation):
    return Prestation.objects.get(pk=prestation.pk)


def _page(client, prestation):
    response = client.get(_url("prestation_detail", prestation))
    assert response.status_code == 200
    return response.content.decode()


def _journal(prestation):
    return list(
        Evenement.objects.filter(lettre_de_commande=prestation.lettre_de_commande).values_list("message", flat=True)
    )


@pytest.fixture
def dossier(monde, beneficiaire_de):
    """A prestation created by the prescripteur, with its référent, contractualised (signed) by default."""

    def _dossier(marche=None, *, referent=None, contractualiser=True, **beneficiaire):
        marche = marche or monde.marche
        chez_x = marche.prestataire_id == monde.referent.organisation_id
        referent = referent or (monde.referent if chez_x else monde.referent_y)
        responsable = monde.responsable if chez_x else monde.responsable_y
        ldc = services.creer_lettre_de_commande(
            _acteur(monde.prescripteur),
            beneficiaire=beneficiaire_de(**beneficiaire),
            marche=marche,
            date_debut=AUJOURD_HUI,
            accord_beneficiaire=True,
        )
        services.designer_referent(_acteur(responsable), ldc.prestation, referent.user)
        prestation = _recharger(ldc.prestation)
        if contractualiser:
            contractualisation.contractualiser(
                _acteur(referent),
                prestation,
                debut=_a_paris(AUJOURD_HUI, 8),
                duree_minutes=60,
                modalite="presentiel",
                signe=True,
            )
        return _recharger(prestation)

    return _dossier


def _entretien(referent, prestation, debut, **champs):
    champs = {"duree_minutes": 45, "modalite": "presentiel", "presence": "present", **champs}
    return entretiens.enregistrer_entretien(_acteur(referent), _recharger(prestation), debut=debut, **champs)


def _poster_entretien(client, prestation, debut, htmx=False, **champs):
    data = {
        "entretien-debut": debut,
        "entretien-duree_minutes": "45",
        "entretien-type": "individuel",
        "entretien-modalite": "presentiel",
        "entretien-phase": prestation.phase,
        "entretien-presence": "present",
        "entretien-compte_rendu": "Point sur les démarches.",
    }
    data.update({f"entretien-{k}": v for k, v in champs.items()})
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(_url("prestation_entretien", prestation), data, **extra)


# --- "Mes prestations": scope, filters, sort ------------------------------------------------


def test_liste_du_referent_ne_montre_que_ses_prestations(monde, dossier, client_de, membre):
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    a_moi = dossier(nom="Aubert-Témoin")
    dossier(referent=collegue, nom="Bernard-Témoin")
    dossier(monde.marche_y, nom="Chevalier-Témoin")
    page = client_de(monde.referent).get(reverse("prestations:liste")).content.decode()
    assert "Mes prestations" in page
    assert "Aubert-Témoin" in page and "Bernard-Témoin" not in page and "Chevalier-Témoin" not in page
    assert _url("prestation_detail", a_moi) in page


def test_liste_du_responsable_prescripteur_et_financeur_selon_leur_portee(monde, dossier, client_de, membre):
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    dossier(nom="Aubert-Témoin")
    dossier(referent=collegue, nom="Bernard-Témoin")
    dossier(monde.marche_y, nom="Chevalier-Témoin")
    responsable = client_de(monde.responsable).get(reverse("prestations:liste")).content.decode()
    assert "Prestations de la structure" in responsable
    assert "Aubert-Témoin" in responsable and "Bernard-Témoin" in responsable and "Chevalier-Témoin" not in responsable
    prescripteur = client_de(monde.prescripteur).get(reverse("prestations:liste")).content.decode()
    assert all(nom in prescripteur for nom in ("Aubert-Témoin", "Bernard-Témoin", "Chevalier-Témoin"))
    autre_agence = client_de(monde.prescripteur_b).get(reverse("prestations:liste")).content.decode()
    assert "Aubert-Témoin" not in autre_agence and "Aucune prestation" in autre_agence
    # Need-to-know (SPEC §1): no case list with identities for a funder.
    financeur = client_de(monde.financeur).get(reverse("prestations:liste")).content.decode()
    assert not any(nom in financeur for nom in ("Aubert-Témoin", "Bernard-Témoin", "Chevalier-Témoin"))


def test_liste_filtres_etat_dispositif_recherche_et_echeance(monde, dossier, client_de):
    marche_bca = MarcheFactory(dispositif="BCA", prestataire=monde.referent.organisation, reference="BCA-X-03")
    en_cours = dossier(nom="Aubert-Témoin")
    a_contractualiser = dossier(nom="Bernard-Témoin", contractualiser=False)
    bca = dossier(marche_bca, nom="Chevalier-Témoin")
    Prestation.objects.filter(pk=en_cours.pk).update(prochaine_echeance=AUJOURD_HUI - datetime.timedelta(days=2))
    Prestation.objects.filter(pk=bca.pk).update(prochaine_echeance=AUJOURD_HUI + datetime.timedelta(days=5))
    Prestation.objects.filter(pk=a_contractualiser.pk).update(
        prochaine_echeance=AUJOURD_HUI + datetime.timedelta(days=30)
    )
    client = client_de(monde.referent)
    liste = reverse("prestations:liste")

    def noms(**params):
        page = client.get(liste, params).content.decode()
        return [n for n in ("Aubert-Témoin", "Bernard-Témoin", "Chevalier-Témoin") if n in page], page

    assert noms(etat="a_contractualiser")[0] == ["Bernard-Témoin"]
    assert noms(dispositif="BCA")[0] == ["Chevalier-Témoin"]
    assert noms(q="cheva")[0] == ["Chevalier-Témoin"]
    assert noms(echeance="depassee")[0] == ["Aubert-Témoin"]
    assert noms(echeance="7j")[0] == ["Aubert-Témoin", "Chevalier-Témoin"]
    # Sorted by next deadline, soonest first.
    _, page = noms()
    assert page.index("Aubert-Témoin") < page.index("Chevalier-Témoin") < page.index("Bernard-Témoin")
    # The phase label comes from the rule set.
    assert "Investigation du potentiel" in page


def test_liste_htmx_renvoie_le_fragment_des_resultats(monde, dossier, client_de):
    dossier(nom="Aubert")
    response = client_de(monde.referent).get(
        reverse("prestations:liste"), {"q": "aub"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="resultats"
    )
    contenu = response.content.decode()
    assert response.status_code == 200 and "<html" not in contenu
    assert 'id="resultats"' in contenu and "Aubert" in contenu


def test_liste_nombre_de_requetes_constant(monde, dossier, client_de):
    client = client_de(monde.referent)
    for i in range(2):
        dossier(nom=f"Deux{i}")
    client.get(reverse("prestations:liste"))  # warm the session
    with CaptureQueriesContext(connection) as deux:
        assert client.get(reverse("prestations:liste")).status_code == 200
    for i in range(10):
        dossier(nom=f"Douze{i}")
    with CaptureQueriesContext(connection) as douze:
        page = client.get(reverse("prestations:liste")).content.decode()
    assert "12 prestations" in page
    assert len(deux) == len(douze), [q["sql"] for q in douze.captured_queries]


# --- Scope and roles on the case page -----------------------------------------------------

URLS_ACTIONS = [
    ("prestation_contractualiser", ()),
    ("prestation_entretien", ()),
    ("prestation_phase", ()),
    ("prestation_fin_anticipee", ()),
    ("prestation_suspension", ()),
    ("prestation_fin_suspension", (1,)),
    ("prestation_periode", ()),
    ("prestation_sortie", ()),
    ("prestation_interruption", ()),
    ("prestation_cloture", ()),
    ("prestation_renouvellement", ()),
    ("prestation_action", ()),
    ("prestation_action_statut", (1,)),
]


def test_referent_de_y_recoit_404_sur_le_dossier_de_x_et_chaque_action(monde, dossier, client_de):
    prestation = dossier()
    client = client_de(monde.referent_y)
    assert client.get(_url("prestation_detail", prestation)).status_code == 404
    for nom, args in URLS_ACTIONS:
        assert client.post(_url(nom, prestation, *args), {}).status_code == 404, nom
    assert _recharger(prestation).etat == Etat.EN_COURS


def test_prescripteur_lit_le_dossier_mais_ne_peut_pas_saisir_un_entretien(monde, dossier, client_de):
    prestation = dossier()
    client = client_de(monde.prescripteur)
    page = _page(client, prestation)
    assert "Dossier de" in page and "Enregistrer un entretien" not in page
    assert "Déclarer une suspension" not in page and "Consultation seule" in page
    # MOV-08: at term only, and the page says from when.
    assert "Le renouvellement se décide au terme : du 22/04/2027 au 21/05/2027" in page
    response = _poster_entretien(client, prestation, _local(AUJOURD_HUI, 9))
    assert response.status_code == 403
    assert Entretien.objects.filter(prestation=prestation).count() == 1  # the contractualisation only


def test_mov04_un_referent_ne_voit_que_ses_dossiers_la_suppleance_passe_par_le_responsable(
    monde, dossier, client_de, membre
):
    """A colleague of the structure does not read the case (404) until the responsable
    designates them référent, e.g. to cover an absence; the former référent then loses it."""
    collegue = membre(Role.REFERENT, organisation=monde.referent.organisation)
    prestation = dossier()
    client = client_de(collegue)
    assert client.get(_url("prestation_detail", prestation)).status_code == 404
    assert _poster_entretien(client, prestation, _local(AUJOURD_HUI, 9)).status_code == 404
    assert client.get(f"/api/prestations/{prestation.pk}/").status_code == 404
    designation = reverse("prestations:ldc_designer_referent", args=[prestation.lettre_de_commande_id])
    assert client_de(monde.responsable).post(designation, {"referent": collegue.user.pk}).status_code == 302
    assert "Enregistrer un entretien" in _page(client, prestation)
    assert _poster_entretien(client, prestation, _local(AUJOURD_HUI, 9)).status_code == 302
    assert client_de(monde.referent).get(_url("prestation_detail", prestation)).status_code == 404


def test_mov08_le_referent_ne_voit_pas_le_renouvellement_le_prescripteur_le_decide(
    monde, dossier, client_de, time_machine
):
    prestation = dossier()
    time_machine.move_to(datetime.datetime(2027, 5, 20, 9, 0, tzinfo=PARIS), tick=True)
    referent = client_de(monde.referent)
    assert "Renouveler" not in _page(referent, prestation)
    assert (
        referent.post(_url("prestation_renouvellement", prestation), {"renouvellement-motif": "x"}).status_code == 403
    )
    prescripteur = client_de(monde.prescripteur)
    assert "Renouveler pour 6 mois" in _page(prescripteur, prestation)
    response = prescripteur.post(
        _url("prestation_renouvellement", prestation), {"renouvellement-motif": "Projet en bonne voie."}
    )
    assert response.status_code == 302
    prestation = _recharger(prestation)
    assert prestation.date_fin == datetime.date(2027, 11, 21) and prestation.nombre_renouvellements == 1
    assert "Renouvelée pour 6 mois" in _page(prescripteur, prestation)


# --- Contractualisation (MOV-05, MOV-06) ---------------------------------------------------


def test_mov05_contractualisation_signee_par_le_formulaire(monde, dossier, client_de):
    prestation = dossier(contractualiser=False)
    client = client_de(monde.referent)
    page = _page(client, prestation)
    assert "Enregistrer la contractualisation" in page and "Enregistrer un entretien" not in page
    response = client.post(
        _url("prestation_contractualiser", prestation),
        {
            "contractualisation-debut": _local(AUJOURD_HUI, 9),
            "contractualisation-duree_minutes": "60",
            "contractualisation-modalite": "presentiel",
            "contractualisation-signe": "oui",
            "contractualisation-compte_rendu": "Contrat lu et signé.",
        },
        follow=True,
    )
    contenu = response.content.decode()
    assert "Contractualisation enregistrée" in contenu
    prestation = _recharger(prestation)
    assert prestation.etat == Etat.EN_COURS and prestation.phase == "phase_1"
    assert prestation.contractualisee_le == AUJOURD_HUI
    assert "Contrat d&#x27;accompagnement signé le 23/11/2026" in contenu
    assert "Enregistrer un entretien" in contenu


def test_mov06_contrat_non_signe_la_prestation_est_refusee(monde, dossier, client_de):
    prestation = dossier(contractualiser=False)
    response = client_de(monde.referent).post(
        _url("prestation_contractualiser", prestation),
        {
            "contractualisation-debut": _local(AUJOURD_HUI, 9),
            "contractualisation-duree_minutes": "30",
            "contractualisation-modalite": "presentiel",
            "contractualisation-signe": "non",
        },
        follow=True,
    )
    assert _recharger(prestation).etat == Etat.REFUSEE
    assert "prestation refusée (MOV-06)" in response.content.decode()


def test_contractualisation_sans_reponse_signature_donne_une_erreur_de_champ(monde, dossier, client_de):
    prestation = dossier(contractualiser=False)
    response = client_de(monde.referent).post(
        _url("prestation_contractualiser", prestation),
        {"contractualisation-debut": _local(AUJOURD_HUI, 9), "contractualisation-duree_minutes": "30"},
    )
    assert response.status_code == 400
    assert "Indiquez si le contrat est signé." in response.content.decode()
    assert _recharger(prestation).etat == Etat.A_CONTRACTUALISER


# --- Entretiens --------------------------------------------------------------------------


def test_entretien_enregistre_par_le_formulaire_apparait_dans_l_historique(monde, dossier, client_de):
    prestation = dossier()
    client = client_de(monde.referent)
    response = _poster_entretien(client, prestation, _local(AUJOURD_HUI, 9, 15))
    assert response.status_code == 302
    assert Entretien.objects.filter(prestation=prestation).count() == 2
    page = _page(client, prestation)
    assert "Entretien du 23/11/2026 à 09:15 enregistré." in page
    assert "Entretien individuel en présentiel du 23/11/2026 à 09:15 (45 min)" in page


def test_entretien_saisi_apres_coup_dans_le_passe(monde, dossier, client_de, time_machine):
    prestation = dossier()
    time_machine.move_to(datetime.datetime(2026, 11, 27, 18, 0, tzinfo=PARIS), tick=True)
    response = _poster_entretien(client_de(monde.referent), prestation, _local(datetime.date(2026, 11, 25), 14))
    assert response.status_code == 302
    assert Entretien.objects.filter(prestation=prestation, debut=_a_paris(datetime.date(2026, 11, 25), 14)).exists()


def test_entretien_dans_le_futur_refuse_sans_rien_changer(monde, dossier, client_de):
    prestation = dossier()
    evenements = Evenement.objects.count()
    response = _poster_entretien(client_de(monde.referent), prestation, _local(AUJOURD_HUI + datetime.timedelta(1), 9))
    assert response.status_code == 400
    contenu = response.content.decode()
    assert "la date ne peut pas être future" in contenu
    assert 'aria-invalid="true"' in contenu
    assert Entretien.objects.filter(prestation=prestation).count() == 1
    assert Evenement.objects.count() == evenements


def test_entretien_htmx_renvoie_le_fragment_du_dossier(monde, dossier, client_de):
    prestation = dossier()
    response = _poster_entretien(client_de(monde.referent), prestation, _local(AUJOURD_HUI, 9, 30), htmx=True)
    contenu = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in contenu and 'id="dossier"' in contenu
    assert "Entretien du 23/11/2026 à 09:30 enregistré." in contenu
    assert "Entretien individuel en présentiel du 23/11/2026 à 09:30" in contenu


def test_entretien_htmx_en_erreur_renvoie_le_formulaire_sur_son_conteneur(monde, dossier, client_de):
    prestation = dossier()
    response = _poster_entretien(
        client_de(monde.referent), prestation, _local(AUJOURD_HUI + datetime.timedelta(1), 9), htmx=True
    )
    contenu = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx responses only
    assert response["HX-Retarget"] == "#action-entretien" and response["HX-Reswap"] == "outerHTML"
    assert "<html" not in contenu and 'id="action-entretien"' in contenu and 'id="dossier"' not in contenu
    assert "la date ne peut pas être future" in contenu
    assert Entretien.objects.filter(prestation=prestation).count() == 1


def test_mov09_entretien_pendant_une_suspension_refuse(monde, dossier, client_de, time_machine):
    prestation = dossier()
    suspensions.declarer_suspension(
        _acteur(monde.referent),
        prestation,
        motif="maladie",
        debut=AUJOURD_HUI + datetime.timedelta(1),
        fin=AUJOURD_HUI + datetime.timedelta(5),
    )
    time_machine.move_to(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=PARIS), tick=True)
    response = _poster_entretien(client_de(monde.referent), prestation, _local(datetime.date(2026, 11, 25), 10))
    assert response.status_code == 400
    assert "pas d&#x27;entretien pendant une suspension" in response.content.decode()


# --- Phases (BCA-02, BAM-02, CEP-01) -------------------------------------------------------


def test_passage_a_la_phase_suivante_mov(monde, dossier, client_de):
    prestation = dossier()
    _entretien(monde.referent, prestation, _a_paris(AUJOURD_HUI, 9))
    client = client_de(monde.referent)
    assert "Passer à « Phase 2 – Construction et mise en œuvre du parcours »" in _page(client, prestation)
    response = client.post(_url("prestation_phase", prestation), {}, follow=True)
    assert _recharger(prestation).phase == "phase_2"
    assert "Passage de « Phase 1" in response.content.decode()


def test_bca02_passage_de_phase_sans_entretien_refuse(monde, dossier, client_de):
    marche_bca = MarcheFactory(dispositif="BCA", prestataire=monde.referent.organisation, reference="BCA-X-03")
    prestation = dossier(marche_bca)
    assert prestation.phase == "investigation"
    evenements = Evenement.objects.count()
    response = client_de(monde.referent).post(_url("prestation_phase", prestation), {})
    assert response.status_code == 409
    contenu = response.content.decode()
    assert "La phase « Investigation du potentiel » demande au moins 1 entretien individuel" in contenu
    assert 'role="alert"' in contenu and "BCA-02" in contenu
    assert _recharger(prestation).phase == "investigation"
    assert Evenement.objects.count() == evenements


def test_bca02_refus_htmx_montre_le_message_dans_le_formulaire(monde, dossier, client_de):
    marche_bca = MarcheFactory(dispositif="BCA", prestataire=monde.referent.organisation, reference="BCA-X-03")
    prestation = dossier(marche_bca)
    response = client_de(monde.referent).post(_url("prestation_phase", prestation), {}, HTTP_HX_REQUEST="true")
    contenu = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == "#action-phase"
    assert 'role="alert"' in contenu and "demande au moins 1 entretien" in contenu


def test_bam02_fin_anticipee_apres_le_bilan_initial(monde, dossier, client_de):
    marche_bam = MarcheFactory(dispositif="BAM", prestataire=monde.referent.organisation, reference="BAM-X-03")
    prestation = dossier(marche_bam)
    client = client_de(monde.referent)
    page = _page(client, prestation)
    assert "Terminer après « Bilan initial »" in page
    response = client.post(
        _url("prestation_fin_anticipee", prestation), {"fin_anticipee-motif": "absence_frein_mobilite"}, follow=True
    )
    assert _recharger(prestation).etat == Etat.TERMINEE
    assert "Fin après « Bilan initial »" in response.content.decode()


def test_cep01_changement_de_niveau_au_choix(monde, dossier, client_de):
    marche_cep = MarcheFactory(dispositif="CEP", prestataire=monde.referent.organisation, reference="CEP-X-03")
    prestation = dossier(marche_cep)
    assert prestation.phase == "niveau_1"
    client = client_de(monde.referent)
    sans_choix = client.post(_url("prestation_phase", prestation), {})
    assert sans_choix.status_code == 400 and "Choisissez la phase à ouvrir." in sans_choix.content.decode()
    response = client.post(_url("prestation_phase", prestation), {"phase-cible": "niveau_2"}, follow=True)
    assert _recharger(prestation).phase == "niveau_2"
    assert "Passage de « Niveau 1 – Accueil individualisé » à « Niveau 2" in response.content.decode()


# --- Suspensions (MOV-07, MOV-09) ------------------------------------------------------------


def _poster_suspension(client, prestation, motif, debut, fin):
    return client.post(
        _url("prestation_suspension", prestation),
        {
            "suspension-motif": motif,
            "suspension-debut": debut.isoformat(),
            "suspension-fin": fin.isoformat(),
            "suspension-commentaire": "Arrêt de travail",
        },
    )


def test_mov09_suspension_maladie_de_14_jours_acceptee_date_de_fin_inchangee(monde, dossier, client_de):
    prestation = dossier()
    fin_prevue = prestation.date_fin
    client = client_de(monde.referent)
    debut = AUJOURD_HUI + datetime.timedelta(days=1)
    response = _poster_suspension(client, prestation, "maladie", debut, debut + datetime.timedelta(days=13))
    assert response.status_code == 302
    assert Suspension.objects.get(prestation=prestation).jours == 14
    assert _recharger(prestation).date_fin == fin_prevue  # MOV-07
    page = _page(client, prestation)
    assert "Suspension (maladie) du 24/11/2026 au 07/12/2026, 14 jours" in page
    assert "Mettre fin à la suspension" in page


def test_mov09_suspension_maladie_de_15_jours_refusee(monde, dossier, client_de):
    prestation = dossier()
    debut = AUJOURD_HUI + datetime.timedelta(days=1)
    response = _poster_suspension(
        client_de(monde.referent), prestation, "maladie", debut, debut + datetime.timedelta(days=14)
    )
    assert response.status_code == 400
    assert "15 jours consécutifs, au-delà des 14 jours consécutifs autorisés (MOV-09)" in response.content.decode()
    assert not Suspension.objects.exists()


def test_mov09_mettre_fin_a_une_suspension(monde, dossier, client_de):
    prestation = dossier()
    suspension = suspensions.declarer_suspension(
        _acteur(monde.referent),
        prestation,
        motif="conges",
        debut=AUJOURD_HUI + datetime.timedelta(1),
        fin=AUJOURD_HUI + datetime.timedelta(9),
    )
    cle = f"fin_suspension_{suspension.pk}"
    response = client_de(monde.referent).post(
        _url("prestation_fin_suspension", prestation, suspension.pk),
        {f"{cle}-fin": (AUJOURD_HUI + datetime.timedelta(3)).isoformat()},
        follow=True,
    )
    suspension.refresh_from_db()
    assert suspension.fin == AUJOURD_HUI + datetime.timedelta(3)
    assert "Fin de la suspension avancée au 26/11/2026" in response.content.decode()


# --- Périodes en entreprise (MOV-12) ---------------------------------------------------------


def _poster_periode(client, prestation, debut, fin, siret=SIRET):
    return client.post(
        _url("prestation_periode", prestation),
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


def test_mov12_periode_en_entreprise_de_6_semaines(monde, dossier, client_de):
    prestation = dossier()
    client = client_de(monde.referent)
    debut = AUJOURD_HUI + datetime.timedelta(days=7)
    response = _poster_periode(client, prestation, debut, debut + datetime.timedelta(days=41))
    assert response.status_code == 302
    assert PeriodeEnEntreprise.objects.get(prestation=prestation).tuteur == "M. Martin"
    assert "Période en entreprise chez Boulangerie Martin du 30/11/2026 au 10/01/2027" in _page(client, prestation)


def test_mov12_periode_de_6_semaines_et_un_jour_refusee(monde, dossier, client_de):
    prestation = dossier()
    debut = AUJOURD_HUI + datetime.timedelta(days=7)
    response = _poster_periode(client_de(monde.referent), prestation, debut, debut + datetime.timedelta(days=42))
    assert response.status_code == 400
    assert "elle doit durer de 7 à 42 jours (MOV-12)" in response.content.decode()
    assert not PeriodeEnEntreprise.objects.exists()


def test_mov12_siret_invalide_refuse(monde, dossier, client_de):
    prestation = dossier()
    debut = AUJOURD_HUI + datetime.timedelta(days=7)
    response = _poster_periode(
        client_de(monde.referent), prestation, debut, debut + datetime.timedelta(days=10), siret="12345678901234"
    )
    assert response.status_code == 400
    assert "n&#x27;est pas valide" in response.content.decode()


# --- Sorties (SOR-01..04, MOV-13) and interruptions (PMA-04) -------------------------------


def _poster_sortie(client, prestation, **champs):
    data = {"sortie-date_sortie": AUJOURD_HUI.isoformat(), **{f"sortie-{k}": v for k, v in champs.items()}}
    return client.post(_url("prestation_sortie", prestation), data, follow=True)


def test_sor01_sortie_positive_en_cdi_ouvre_le_suivi_dans_l_emploi_mov13(monde, dossier, client_de):
    prestation = dossier()
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
    prestation = _recharger(prestation)
    assert prestation.etat == Etat.SUIVI_EMPLOI and prestation.sortie.positive
    assert "Sortie positive : CDI à temps plein" in contenu
    assert "Sortie : Emploi le 23/11/2026 — positive (SOR-01)." in contenu  # the timeline
    assert "Suivi dans l&#x27;emploi (MOV-13)" in contenu and "Première semaine" in contenu
    assert "Clore le suivi dans l&#x27;emploi" in contenu
    assert "La personne est-elle toujours en emploi ou en formation ?" in contenu


def test_sor01_temps_plein_de_50_heures_contradictoire_refuse(monde, dossier, client_de):
    prestation = dossier()
    response = client_de(monde.referent).post(
        _url("prestation_sortie", prestation),
        {
            "sortie-type": "emploi",
            "sortie-date_sortie": AUJOURD_HUI.isoformat(),
            "sortie-type_contrat": "cdi",
            "sortie-temps_plein": "oui",
            "sortie-heures_mensuelles": "50",
        },
    )
    assert response.status_code == 400
    assert "est un temps partiel" in response.content.decode()
    assert _recharger(prestation).etat == Etat.EN_COURS


def test_sor03_auto_entrepreneur_non_positif(monde, dossier, client_de):
    prestation = dossier()
    response = _poster_sortie(
        client_de(monde.referent),
        prestation,
        type="creation_entreprise",
        forme_entreprise="micro_entrepreneur",
        nature_entreprise="creation",
    )
    prestation = _recharger(prestation)
    assert prestation.etat == Etat.TERMINEE and not prestation.sortie.positive
    assert "Sortie non positive" in response.content.decode()


def test_mov13_entretien_de_suivi_puis_cloture(monde, dossier, client_de, time_machine):
    prestation = dossier()
    client = client_de(monde.referent)
    _poster_sortie(client, prestation, type="formation", convention_afpr="on")
    prestation = _recharger(prestation)
    assert prestation.etat == Etat.SUIVI_EMPLOI
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=PARIS), tick=True)
    sans_reponse = _poster_entretien(client, prestation, _local(datetime.date(2026, 11, 26), 9), modalite="telephone")
    assert sans_reponse.status_code == 400
    assert "Indiquez si la personne est toujours en emploi ou en formation (MOV-13)." in sans_reponse.content.decode()
    response = _poster_entretien(
        client, prestation, _local(datetime.date(2026, 11, 26), 9), modalite="telephone", toujours_en_emploi="non"
    )
    assert response.status_code == 302
    response = client.post(_url("prestation_cloture", prestation), {}, follow=True)
    assert _recharger(prestation).etat == Etat.TERMINEE
    assert "la personne n&#x27;est plus en poste" in response.content.decode()


def test_mov13_cloture_avant_trois_mois_refusee(monde, dossier, client_de):
    prestation = dossier()
    client = client_de(monde.referent)
    _poster_sortie(client, prestation, type="formation", convention_afpr="on")
    response = client.post(_url("prestation_cloture", prestation), {})
    assert response.status_code == 409
    assert "Le suivi dans l&#x27;emploi court jusqu&#x27;au" in response.content.decode()
    assert _recharger(prestation).etat == Etat.SUIVI_EMPLOI


def test_sor04_interruption_pour_abandon(monde, dossier, client_de):
    prestation = dossier()
    response = client_de(monde.referent).post(
        _url("prestation_interruption", prestation),
        {
            "interruption-type": "abandon",
            "interruption-motif": "Ne se présente plus.",
            "interruption-date_sortie": AUJOURD_HUI.isoformat(),
        },
        follow=True,
    )
    assert _recharger(prestation).etat == Etat.INTERROMPUE
    assert "Prestation interrompue le 23/11/2026 : Abandon — Ne se présente plus." in response.content.decode()


def test_pma04_exclusion_sans_consultation_refusee_puis_acceptee(monde, dossier, client_de):
    marche_pma = MarcheFactory(dispositif="PMA", prestataire=monde.referent.organisation, reference="PMA-X-03")
    prestation = dossier(marche_pma, pma_eligible=True)
    client = client_de(monde.referent)
    data = {
        "interruption-type": "exclusion",
        "interruption-motif": "Absences répétées sans justification.",
        "interruption-date_sortie": AUJOURD_HUI.isoformat(),
    }
    refus = client.post(_url("prestation_interruption", prestation), data)
    assert refus.status_code == 400
    assert "après consultation du référent ou du financeur (PMA-04)" in refus.content.decode()
    assert _recharger(prestation).etat == Etat.EN_COURS
    client.post(_url("prestation_interruption", prestation), {**data, "interruption-consultation_financeur": "on"})
    prestation = _recharger(prestation)
    assert prestation.etat == Etat.INTERROMPUE and prestation.sortie.consultation_financeur


# --- Actions of the parcours (BAM-03, CEP-02) ---------------------------------------------------


def test_bam03_action_payante_sans_cout_refusee_puis_ajoutee_et_realisee(monde, dossier, client_de):
    marche_bam = MarcheFactory(dispositif="BAM", prestataire=monde.referent.organisation, reference="BAM-X-03")
    prestation = dossier(marche_bam)
    client = client_de(monde.referent)
    assert "Carnet de suivi (BAM-03)" in _page(client, prestation)
    data = {"action-nature": "service_payant", "action-libelle": "Location de scooter", "action-statut": "prevue"}
    refus = client.post(_url("prestation_action", prestation), data)
    assert refus.status_code == 400
    assert "Un service payant s&#x27;enregistre avec son coût (BAM-03)." in refus.content.decode()
    client.post(
        _url("prestation_action", prestation), {**data, "action-cout": "120", "action-aides_mobilisables": "AIF"}
    )
    action = ActionParcours.objects.get(prestation=prestation)
    response = client.post(
        _url("prestation_action_statut", prestation, action.pk),
        {f"statut_action_{action.pk}-statut": "realisee"},
        follow=True,
    )
    action.refresh_from_db()
    assert action.statut == "realisee"
    assert "Location de scooter — réalisée" in response.content.decode()


# --- Group sessions (EMA-01, BAM-03) ----------------------------------------------------------


def test_ema01_session_collective_creation_et_presence_du_participant(monde, dossier, client_de):
    prestation = dossier(nom="Aubert")
    client = client_de(monde.referent)
    assert client.get(reverse("prestations:sessions")).status_code == 200
    response = client.post(
        reverse("prestations:session_creer"),
        {
            "session-titre": "Atelier CV",
            "session-debut": _local(AUJOURD_HUI, 9),
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
    dossier_page = _page(client, prestation)
    assert "Session collective : Atelier CV" in dossier_page
    assert "Entretien collectif en présentiel du 23/11/2026 à 09:00 (60 min)" in dossier_page  # the timeline
    # Another prestataire does not see the session.
    assert client_de(monde.referent_y).get(reverse("prestations:session_detail", args=[session.pk])).status_code == 404
    assert client_de(monde.prescripteur).get(reverse("prestations:sessions")).status_code == 403


def test_bam03_septieme_participant_d_un_micro_collectif_refuse(monde, dossier, client_de):
    marche_bam = MarcheFactory(dispositif="BAM", prestataire=monde.referent.organisation, reference="BAM-X-03")
    referent = _acteur(monde.referent)
    prestations = []
    for i in range(7):
        prestation = dossier(marche_bam, nom=f"Participant{i}")
        entretiens.passer_phase(referent, prestation)
        prestations.append(_recharger(prestation))
    assert prestations[0].phase == "parcours_mobilite"
    session = entretiens.creer_session(
        referent,
        titre="Micro-collectif mobilité",
        debut=_a_paris(AUJOURD_HUI, 9),
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


# --- Navigation and pinned query counts ---------------------------------------------------------


def test_navigation_et_lien_depuis_la_lettre_de_commande(monde, dossier, client_de):
    prestation = dossier()
    client = client_de(monde.referent)
    accueil = client.get(reverse("prestations:liste")).content.decode()
    assert (
        f'href="{reverse("prestations:liste")}"' in accueil and f'href="{reverse("prestations:sessions")}"' in accueil
    )
    ldc = client.get(reverse("prestations:ldc_detail", args=[prestation.lettre_de_commande.pk])).content.decode()
    assert _url("prestation_detail", prestation) in ldc


def test_mov10_mov11_page_du_dossier_montre_l_essentiel(monde, dossier, client_de, time_machine):
    prestation = dossier()
    time_machine.move_to(datetime.datetime(2026, 12, 4, 10, 0, tzinfo=PARIS), tick=True)
    page = _page(client_de(monde.referent), prestation)
    assert "Phase 1 – Identification et analyse des difficultés (diagnostic)" in page
    assert "23/11/2026" in page and "21/05/2027" in page  # start and end (180 days, MOV-07)
    assert "169 jours" in page  # days remaining on 04/12/2026, end date included
    # MOV-10: 11 days since the contractualisation, highlighted from day 10.
    assert "text-bg-warning fs-6" in page and "11 jours sur 14 au plus" in page
    assert "prochain entretien au plus tard le 07/12/2026" in page
    # MOV-11: the week of 23/11 had no weekly entretien in phase 1 (the contractualisation does not count).
    assert "semaine du 23/11" in page


def test_page_du_dossier_nombre_de_requetes_constant(monde, dossier, client_de):
    prestation = dossier()
    client = client_de(monde.referent)
    client.get(_url("prestation_detail", prestation))  # warm the session
    with CaptureQueriesContext(connection) as un:
        assert client.get(_url("prestation_detail", prestation)).status_code == 200
    for i in range(9):
        _entretien(monde.referent, prestation, _a_paris(AUJOURD_HUI, 8, 5 + 5 * i))
    suspensions.declarer_suspension(
        _acteur(monde.referent),
        _recharger(prestation),
        motif="conges",
        debut=AUJOURD_HUI + datetime.timedelta(1),
        fin=AUJOURD_HUI + datetime.timedelta(3),
    )
    parcours.ajouter_action(_acteur(monde.referent), _recharger(prestation), nature="etape", libelle="Étape 1")
    assert Entretien.objects.filter(prestation=prestation).count() == 10
    with CaptureQueriesContext(connection) as dix:
        page = client.get(_url("prestation_detail", prestation)).content.decode()
    assert page.count("<time datetime") >= 10
    assert len(un) == len(dix), [q["sql"] for q in dix.captured_queries]
