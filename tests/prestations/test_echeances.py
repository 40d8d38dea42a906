"""The deadline engine (issue 5), rule by rule: each échéance is a row created by the
workflow services, swept by ``balayer(maintenant)``, warned, breached and acted upon at
the right moment (midnight, Europe/Paris, for day-based rules; 48 real hours for the
notices), exactly once.

Every test builds its cases through the services (``Dossiers``, shared with the
workflow tests), moves the clock with time-machine and sweeps at a given moment, as the
beat schedule or ``manage.py echeances --date`` would.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptes.envoi import envoyer_emails_en_attente, notification_envoyee
from comptes.models import Canal, Notification
from config.celery import app as celery_app
from livrables.models import Livrable
from livrables.services import transmettre_livrable
from prestations import faits
from prestations.commandes import services
from prestations.echeances import balayage
from prestations.models import (
    Entretien,
    Etat,
    Evenement,
    Modalite,
    MotifSuspension,
    Prestation,
    Sortie,
    Suspension,
    TypeEvenement,
)
from prestations.models.echeances import Balayage, Echeance, EtatEcheance, TypeEcheance
from prestations.sorties import TypeSortie
from prestations.suivi import contractualisation, fins, renouvellement
from tests.prestations.test_workflow import (
    CDI_TEMPS_PLEIN,
    DEBUT,
    FIN_MOV,
    Dossiers,
    acteur,
    faits_de,
    jour,
    recharger,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UNE_SECONDE = datetime.timedelta(seconds=1)
PRESCRIPTEUR, REFERENT, RESPONSABLE = "presc.a@exemple.test", "ref.x@exemple.test", "resp.x@exemple.test"


@pytest.fixture(autouse=True)
def _hachage_rapide(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def dossiers(monde, beneficiaire_de, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the signed contracts transmitted (en_cours)
    return Dossiers(monde, beneficiaire_de, time_machine)


# --- Helpers ----------------------------------------------------------------------------


def minuit(date: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``date`` on the Paris wall clock (computed here, not by the engine)."""
    return datetime.datetime.combine(date, datetime.time.min, tzinfo=PARIS)


def balayer_a(time_machine, quand: datetime.datetime) -> Balayage:
    """The sweep as the beat schedule runs it at ``quand`` (the clock is there too)."""
    time_machine.move_to(quand, tick=False)
    return balayage.balayer(quand)


def ligne(prestation, type_, **filtres) -> Echeance:
    return Echeance.objects.get(prestation=prestation, type=type_, **filtres)


def avis(cle: str) -> set[tuple[str, str]]:
    """Who got the notice ``cle``, on which channel."""
    return set(Notification.objects.filter(cle=cle).values_list("destinataire__email", "canal"))


def deux_canaux(*emails: str) -> set[tuple[str, str]]:
    return {(e, canal) for e in emails for canal in (Canal.IN_APP, Canal.EMAIL)}


def en_cours(dossiers, dispositif="MOV", debut=DEBUT, contrat=None, *, p=None) -> Prestation:
    """A case (``p``, or a new one) whose contract was signed (day 1 by default), the
    prescripteur told, and the signed contract's copy transmitted (MOV-05)."""
    p = p or dossiers.nouveau(dispositif, debut=debut)
    p = dossiers.contractualiser(p, contrat or p.date_debut + datetime.timedelta(days=1))
    envoyer_emails_en_attente()
    if p.regle.delai_copie_contrat_heures:
        transmettre_livrable(
            dossiers.referent,
            recharger(p),
            type="contrat_accompagnement",
            fichier=SimpleUploadedFile("contrat.pdf", b"%PDF-1.4\n% contrat signe\n%%EOF\n"),
        )
    return recharger(p)


def tenir_entretiens(dossiers, p, jusqu_au: datetime.date, pas: int = 13) -> None:
    """Keep the MOV-10 gap short: an entretien every ``pas`` days after the last one, until ``jusqu_au``."""
    dernier = timezone.localtime(Entretien.objects.filter(prestation=p).latest("debut").debut).date()
    jour_ = dernier + datetime.timedelta(days=pas)
    while jour_ <= jusqu_au:
        dossiers.entretien(p, jour_)
        jour_ += datetime.timedelta(days=pas)


def compter() -> dict[str, int]:
    return {
        "notifications": Notification.objects.count(),
        "evenements": Evenement.objects.count(),
        "sorties": Sortie.objects.count(),
    }


# --- MOV-03: contractualisation within 7 days, warning day 5, breach day 7 ----------------


def test_mov03_echeance_creee_avec_la_ldc_avertie_j5_et_depassee_j8(dossiers, monde, beneficiaire_de, time_machine):
    ldc = services.creer_lettre_de_commande(
        dossiers.prescripteur,
        beneficiaire=beneficiaire_de(),
        marche=monde.marche,
        date_debut=DEBUT,
        accord_beneficiaire=True,
    )
    # The row exists as soon as the LdC is issued, before any référent is designated.
    echeance = ligne(ldc.prestation, TypeEcheance.CONTRACTUALISATION)
    assert (echeance.regle, echeance.etat) == ("MOV-03", EtatEcheance.A_VENIR)
    assert echeance.due_le == minuit(jour(8))  # day 7 may still be used: breached once it is over
    assert echeance.alertes == [minuit(jour(5))]
    services.designer_referent(dossiers.responsable, ldc.prestation, monde.referent.user)
    p = recharger(ldc.prestation)

    alerte, depassement = f"echeance:{echeance.pk}:alerte:1", f"echeance:{echeance.pk}:depassement"
    balayer_a(time_machine, minuit(jour(5)) - UNE_SECONDE)
    assert avis(alerte) == set()
    resultat = balayer_a(time_machine, minuit(jour(5)))
    assert resultat.avertissements == 1
    assert avis(alerte) == deux_canaux(REFERENT)  # the référent, once per channel
    assert ligne(p, TypeEcheance.CONTRACTUALISATION).etat == EtatEcheance.AVERTIE

    balayer_a(time_machine, minuit(jour(8)) - UNE_SECONDE)
    assert avis(depassement) == set()
    assert ligne(p, TypeEcheance.CONTRACTUALISATION).etat == EtatEcheance.AVERTIE
    resultat = balayer_a(time_machine, minuit(jour(8)))
    assert (resultat.depassements, resultat.transitions) == (1, 0)
    assert avis(depassement) == deux_canaux(PRESCRIPTEUR, REFERENT)
    echue = ligne(p, TypeEcheance.CONTRACTUALISATION)
    assert (echue.etat, echue.echue_le) == (EtatEcheance.ECHUE, minuit(jour(8)))
    assert recharger(p).etat == Etat.A_CONTRACTUALISER  # a breach is shown and notified, not a block
    # A late contractualisation is still recorded; the breach stays on the case.
    dossiers.contractualiser(p, jour(9))
    assert ligne(p, TypeEcheance.CONTRACTUALISATION).etat == EtatEcheance.ECHUE


def test_mov03_contractualisation_dans_les_temps_honore_l_echeance(dossiers, time_machine):
    p = dossiers.nouveau()
    echeance = ligne(p, TypeEcheance.CONTRACTUALISATION)
    dossiers.contractualiser(p, jour(3))
    echeance.refresh_from_db()
    assert (echeance.etat, echeance.honoree_le, echeance.prochaine_action_le) == (
        EtatEcheance.HONOREE,
        minuit(jour(3)),
        None,
    )
    balayer_a(time_machine, minuit(jour(5)))
    balayer_a(time_machine, minuit(jour(8)))
    assert avis(f"echeance:{echeance.pk}:alerte:1") == avis(f"echeance:{echeance.pk}:depassement") == set()
    assert ligne(p, TypeEcheance.CONTRACTUALISATION).etat == EtatEcheance.HONOREE


@pytest.mark.parametrize(
    ("creee_le", "debut", "alerte", "due"),
    [
        # Spring forward (29/03/2026 02:00 → 03:00): started in winter time, due in summer time.
        (datetime.date(2026, 3, 20), datetime.date(2026, 3, 25), datetime.date(2026, 3, 30), datetime.date(2026, 4, 2)),
        # Fall back (25/10/2026 03:00 → 02:00): started in summer time, due in winter time.
        (
            datetime.date(2026, 10, 20),
            datetime.date(2026, 10, 22),
            datetime.date(2026, 10, 27),
            datetime.date(2026, 10, 30),
        ),
    ],
    ids=["printemps", "automne"],
)
def test_mov03_alerte_et_depassement_a_minuit_a_travers_le_changement_d_heure(
    dossiers, time_machine, creee_le, debut, alerte, due
):
    dossiers.aller(creee_le, heure=10)
    p = dossiers.nouveau(debut=debut)
    echeance = ligne(p, TypeEcheance.CONTRACTUALISATION)
    assert echeance.alertes == [minuit(alerte)] and echeance.due_le == minuit(due)
    for instant in [*echeance.alertes, echeance.due_le]:
        assert timezone.localtime(instant).time() == datetime.time(0, 0)  # not 23:00 nor 01:00
    # 5 × 24 hours after the start would fall an hour off local midnight: the sweep goes by the wall clock.
    balayer_a(time_machine, minuit(alerte) - UNE_SECONDE)
    assert avis(f"echeance:{echeance.pk}:alerte:1") == set()
    balayer_a(time_machine, minuit(alerte))
    assert avis(f"echeance:{echeance.pk}:alerte:1") == deux_canaux(REFERENT)
    balayer_a(time_machine, minuit(due) - UNE_SECONDE)
    assert avis(f"echeance:{echeance.pk}:depassement") == set()
    balayer_a(time_machine, minuit(due))
    assert avis(f"echeance:{echeance.pk}:depassement") == deux_canaux(PRESCRIPTEUR, REFERENT)


# --- MOV-05 / MOV-06 / LIV-03: the prescripteur informed within 48 real hours ------------

NOTICES = {
    "MOV-05": (TypeEcheance.COPIE_CONTRAT, "contrat_signe"),
    "MOV-06": (TypeEcheance.INFORMATION_REFUS, "contrat_refuse"),
    "LIV-03": (TypeEcheance.INFORMATION_INTERRUPTION, "interruption"),
}
#: The notices whose sending meets their rule (MOV-05 is met by the signed contract's
#: transmission: tests/livrables/test_mov05_liv03.py).
HONOREES_PAR_L_ENVOI = ["MOV-06", "LIV-03"]


def _evenement_a_notifier(dossiers, regle: str) -> Prestation:
    if regle == "MOV-05":
        return dossiers.contractualiser(dossiers.nouveau(), jour(1), signe=True)
    if regle == "MOV-06":
        return dossiers.contractualiser(dossiers.nouveau(), jour(1), signe=False)
    p = en_cours(dossiers)  # its contract copy went out
    dossiers.aller(jour(3), heure=11)
    fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Ne se présente plus.")
    return p


@pytest.mark.parametrize("regle", HONOREES_PAR_L_ENVOI)
def test_mov06_liv03_notice_envoyee_honore_l_echeance_a_l_heure_d_envoi(dossiers, time_machine, regle):
    type_, cle = NOTICES[regle]
    p = _evenement_a_notifier(dossiers, regle)
    notice = Notification.objects.get(cle=f"prestation:{p.pk}:{cle}", canal=Canal.EMAIL)
    echeance = ligne(p, type_)
    assert (echeance.regle, echeance.depart_le) == (regle, notice.cree_le)
    assert echeance.due_le - notice.cree_le == datetime.timedelta(hours=48)
    time_machine.move_to(notice.cree_le + datetime.timedelta(hours=3), tick=False)
    assert envoyer_emails_en_attente() >= 1
    notice.refresh_from_db()
    assert notice.envoyee_le == notice.cree_le + datetime.timedelta(hours=3)
    # Honoured as the e-mail goes out, not 45 hours later at the sweep: the case's clock says so.
    echeance.refresh_from_db()
    assert (echeance.etat, echeance.honoree_le) == (EtatEcheance.HONOREE, notice.envoyee_le)
    assert echeance.prochaine_action_le is None
    resultat = balayer_a(time_machine, echeance.due_le)
    echeance.refresh_from_db()
    assert (echeance.etat, echeance.honoree_le) == (EtatEcheance.HONOREE, notice.envoyee_le)
    assert resultat.examinees == 0 and avis(f"echeance:{echeance.pk}:depassement") == set()


def test_mov06_un_echec_apres_l_envoi_ne_renvoie_pas_l_e_mail(dossiers, time_machine, caplog, mailoutbox):
    """The sending is kept when what follows it fails: the e-mail is not sent twice, and
    the sweep still honours the row from the notice (MOV-06)."""
    p = dossiers.contractualiser(dossiers.nouveau(), jour(1), signe=False)
    echeance = ligne(p, TypeEcheance.INFORMATION_REFUS)

    def en_panne(sender, notification, **kwargs):
        with transaction.atomic():
            Echeance.objects.filter(pk=echeance.pk).update(etat="n'existe pas, et trop long pour la colonne")

    notification_envoyee.connect(en_panne, dispatch_uid="test-en-panne")
    try:
        assert envoyer_emails_en_attente() >= 1
        assert envoyer_emails_en_attente() == 0
    finally:
        notification_envoyee.disconnect(dispatch_uid="test-en-panne")
    assert [m.to for m in mailoutbox if m.subject.startswith("Contrat d'accompagnement non signé")] == [[PRESCRIPTEUR]]
    assert "Après l'envoi de la notification" in caplog.text
    resultat = balayer_a(time_machine, echeance.due_le)
    assert resultat.depassements == 0
    assert ligne(p, TypeEcheance.INFORMATION_REFUS).etat == EtatEcheance.HONOREE


@pytest.mark.parametrize("regle", list(NOTICES))
def test_mov05_mov06_liv03_notice_jamais_partie_depassee_a_48_heures(dossiers, time_machine, settings, regle):
    type_, cle = NOTICES[regle]
    p = _evenement_a_notifier(dossiers, regle)
    settings.EMAIL_BACKEND = "tests.support.email.EchecBackend"  # the SMTP server refuses everything
    assert envoyer_emails_en_attente() == 0
    notice = Notification.objects.get(cle=f"prestation:{p.pk}:{cle}", canal=Canal.EMAIL)
    assert notice.envoyee_le is None and notice.tentatives == 1 and "injoignable" in notice.erreur
    echeance = ligne(p, type_)
    balayer_a(time_machine, echeance.due_le - UNE_SECONDE)
    assert ligne(p, type_).etat == EtatEcheance.A_VENIR
    assert avis(f"echeance:{echeance.pk}:depassement") == set()
    balayer_a(time_machine, echeance.due_le)
    assert ligne(p, type_).etat == EtatEcheance.ECHUE
    # The prescripteur and the référent are told, and the responsables who answer for the notice.
    assert avis(f"echeance:{echeance.pk}:depassement") == deux_canaux(PRESCRIPTEUR, REFERENT, RESPONSABLE)


def test_mov05_48_heures_reelles_a_travers_le_changement_d_heure(dossiers, time_machine, settings):
    dossiers.aller(datetime.date(2026, 10, 20), heure=10)
    p = dossiers.nouveau(debut=datetime.date(2026, 10, 22))
    signe_le = datetime.datetime(2026, 10, 24, 12, 0, tzinfo=PARIS)  # summer time (UTC+2)
    time_machine.move_to(signe_le, tick=False)
    contractualisation.contractualiser(
        dossiers.referent,
        p,
        debut=signe_le - datetime.timedelta(hours=2),
        duree_minutes=60,
        modalite=Modalite.PRESENTIEL,
        signe=True,
    )
    echeance = ligne(p, TypeEcheance.COPIE_CONTRAT)
    # 48 real hours later is 11:00 on Monday in winter time, not 12:00 (two calendar days).
    assert echeance.due_le == datetime.datetime(2026, 10, 26, 11, 0, tzinfo=PARIS)
    assert echeance.due_le - signe_le == datetime.timedelta(hours=48)
    settings.EMAIL_BACKEND = "tests.support.email.EchecBackend"
    envoyer_emails_en_attente()
    balayer_a(time_machine, datetime.datetime(2026, 10, 26, 10, 59, 59, tzinfo=PARIS))
    assert ligne(p, TypeEcheance.COPIE_CONTRAT).etat == EtatEcheance.A_VENIR
    balayer_a(time_machine, datetime.datetime(2026, 10, 26, 11, 0, tzinfo=PARIS))
    assert ligne(p, TypeEcheance.COPIE_CONTRAT).etat == EtatEcheance.ECHUE


# --- MOV-10: more than 14 net days without an entretien ends the prestation -------------


def test_mov10_l_echeance_suit_chaque_entretien(dossiers):
    p = en_cours(dossiers)
    premiere = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert (premiere.cle, premiere.regle) == (jour(1).isoformat(), "MOV-10")
    assert premiere.due_le == minuit(jour(16))  # 15 net days after the contractualisation entretien
    assert premiere.alertes == [minuit(jour(11)), minuit(jour(14))]  # net day 10 and net day 13
    entretien = dossiers.entretien(p, jour(8))
    premiere.refresh_from_db()
    assert (premiere.etat, premiere.honoree_le) == (EtatEcheance.HONOREE, entretien.debut)
    suivante = ligne(p, TypeEcheance.ECART_ENTRETIENS, etat=EtatEcheance.A_VENIR)
    assert suivante.cle == jour(8).isoformat()
    assert (suivante.due_le, suivante.alertes) == (minuit(jour(23)), [minuit(jour(18)), minuit(jour(21))])
    assert recharger(p).prochaine_echeance == jour(22)


def test_mov10_avertit_a_j10_et_j13_puis_interrompt_au_dela_de_14_jours(dossiers, time_machine):
    p = en_cours(dossiers)
    dossiers.entretien(p, jour(8))
    echeance = ligne(p, TypeEcheance.ECART_ENTRETIENS, cle=jour(8).isoformat())
    cle = f"echeance:{echeance.pk}"

    balayer_a(time_machine, minuit(jour(18)) - UNE_SECONDE)
    assert avis(f"{cle}:alerte:1") == set()
    balayer_a(time_machine, minuit(jour(18)))
    assert avis(f"{cle}:alerte:1") == deux_canaux(REFERENT)
    balayer_a(time_machine, minuit(jour(21)) - UNE_SECONDE)
    assert avis(f"{cle}:alerte:2") == set()
    balayer_a(time_machine, minuit(jour(21)))
    assert avis(f"{cle}:alerte:2") == deux_canaux(REFERENT)

    assert faits_de(p, jour(22)).ecart_net == 14  # exactly 14: still allowed
    balayer_a(time_machine, minuit(jour(23)) - UNE_SECONDE)
    assert recharger(p).etat == Etat.EN_COURS and not Sortie.objects.filter(prestation=p).exists()

    resultat = balayer_a(time_machine, minuit(jour(23)))
    assert (resultat.depassements, resultat.transitions) == (1, 1)
    p = recharger(p)
    assert (p.etat, p.terminee_le, p.motif_fin) == (
        Etat.INTERROMPUE,
        jour(23),
        TypeSortie.INTERRUPTION_ECART_ENTRETIENS,
    )
    [sortie] = Sortie.objects.filter(prestation=p)
    assert (sortie.type, sortie.date_sortie, sortie.positive) == (
        TypeSortie.INTERRUPTION_ECART_ENTRETIENS,
        jour(23),
        False,
    )
    [evenement] = Evenement.objects.filter(lettre_de_commande=p.lettre_de_commande_id, type=TypeEvenement.INTERRUPTION)
    assert "automatiquement le 16/12/2026" in evenement.message and "MOV-10" in evenement.message
    # SPEC §4: one event, one notice per recipient: the end, which says what follows (LIV-03);
    # no breach notice besides.
    assert avis(f"prestation:{p.pk}:interruption") == deux_canaux(PRESCRIPTEUR, REFERENT)
    assert avis(f"{cle}:depassement") == set()
    assert ligne(p, TypeEcheance.ECART_ENTRETIENS, cle=jour(8).isoformat()).etat == EtatEcheance.ECHUE
    # The 48-hour notice of the interruption is itself a deadline now, and the term is void.
    assert ligne(p, TypeEcheance.INFORMATION_INTERRUPTION).etat == EtatEcheance.A_VENIR
    assert ligne(p, TypeEcheance.FIN_PRESTATION).etat == EtatEcheance.ANNULEE


def test_mov10_une_suspension_repousse_l_echeance_d_autant(dossiers, time_machine):
    p = en_cours(dossiers)
    avant = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(9))  # 5 days
    apres = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert apres.pk == avant.pk  # same clock, paused
    assert apres.due_le == minuit(jour(16 + 5))
    assert apres.alertes == [minuit(jour(11 + 5)), minuit(jour(14 + 5))]
    balayer_a(time_machine, minuit(jour(16)))  # the former due date: only the first warning
    assert recharger(p).etat == Etat.EN_COURS
    assert avis(f"echeance:{apres.pk}:alerte:1") == deux_canaux(REFERENT)
    balayer_a(time_machine, minuit(jour(21)) - UNE_SECONDE)
    assert recharger(p).etat == Etat.EN_COURS
    balayer_a(time_machine, minuit(jour(21)))
    assert recharger(p).etat == Etat.INTERROMPUE


def test_mov10_une_periode_en_entreprise_repousse_l_echeance_d_autant(dossiers, time_machine):
    p = en_cours(dossiers)
    dossiers.periode(p, jour(3), jour(9))  # 7 days in a company
    echeance = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert echeance.due_le == minuit(jour(16 + 7))
    balayer_a(time_machine, minuit(jour(23)) - UNE_SECONDE)
    assert recharger(p).etat == Etat.EN_COURS
    balayer_a(time_machine, minuit(jour(23)))
    assert recharger(p).etat == Etat.INTERROMPUE


def test_mov10_a_minuit_heure_de_paris_a_travers_le_changement_d_heure(dossiers, time_machine):
    dossiers.aller(datetime.date(2026, 10, 18), heure=10)
    p = en_cours(dossiers, debut=datetime.date(2026, 10, 19), contrat=datetime.date(2026, 10, 20))
    echeance = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert echeance.alertes == [minuit(datetime.date(2026, 10, 30)), minuit(datetime.date(2026, 11, 2))]
    assert echeance.due_le == minuit(datetime.date(2026, 11, 4))
    balayer_a(time_machine, minuit(datetime.date(2026, 10, 30)) - UNE_SECONDE)
    assert avis(f"echeance:{echeance.pk}:alerte:1") == set()
    balayer_a(time_machine, minuit(datetime.date(2026, 10, 30)))
    assert avis(f"echeance:{echeance.pk}:alerte:1") == deux_canaux(REFERENT)
    balayer_a(time_machine, minuit(datetime.date(2026, 11, 4)) - UNE_SECONDE)
    assert recharger(p).etat == Etat.EN_COURS
    balayer_a(time_machine, minuit(datetime.date(2026, 11, 4)))
    assert recharger(p).etat == Etat.INTERROMPUE


# --- MOV-07 / MOV-08: the term, the renewal ----------------------------------------------


def test_mov07_fin_automatique_au_terme_et_mov08_prescripteur_prevenu_30_jours_avant(dossiers, time_machine):
    p = en_cours(dossiers)
    fin = ligne(p, TypeEcheance.FIN_PRESTATION)
    assert (fin.regle, fin.due_le) == ("MOV-07", minuit(FIN_MOV + datetime.timedelta(days=1)))
    assert fin.alertes == [minuit(FIN_MOV - datetime.timedelta(days=29))]  # the 30 days in which to renew
    tenir_entretiens(dossiers, p, FIN_MOV - datetime.timedelta(days=30))
    balayer_a(time_machine, fin.alertes[0] - UNE_SECONDE)
    assert avis(f"echeance:{fin.pk}:alerte:1") == set()
    balayer_a(time_machine, fin.alertes[0])
    assert avis(f"echeance:{fin.pk}:alerte:1") == deux_canaux(PRESCRIPTEUR)

    tenir_entretiens(dossiers, p, FIN_MOV - datetime.timedelta(days=9))
    balayer_a(time_machine, fin.due_le - UNE_SECONDE)
    assert recharger(p).etat == Etat.EN_COURS
    resultat = balayer_a(time_machine, fin.due_le)
    assert resultat.transitions == 1
    p = recharger(p)
    assert (p.etat, p.terminee_le, p.motif_fin) == (Etat.TERMINEE, FIN_MOV, TypeSortie.TERME_SANS_EMPLOI)
    [sortie] = Sortie.objects.filter(prestation=p)
    assert (sortie.type, sortie.date_sortie) == (TypeSortie.TERME_SANS_EMPLOI, FIN_MOV)
    assert avis(f"prestation:{p.pk}:fin") == deux_canaux(PRESCRIPTEUR, REFERENT)  # one notice each (SPEC §4)
    assert ligne(p, TypeEcheance.FIN_PRESTATION).etat == EtatEcheance.ECHUE


def test_mov08_le_renouvellement_annule_l_ancien_terme_et_en_pose_un_six_mois_plus_tard(dossiers, monde, time_machine):
    p = en_cours(dossiers)
    ancienne = ligne(p, TypeEcheance.FIN_PRESTATION)
    tenir_entretiens(dossiers, p, FIN_MOV - datetime.timedelta(days=6))
    renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Parcours à consolider.")
    ancienne.refresh_from_db()
    assert ancienne.etat == EtatEcheance.ANNULEE and ancienne.annulee_le is not None
    nouvelle = ligne(p, TypeEcheance.FIN_PRESTATION, etat=EtatEcheance.A_VENIR)
    assert nouvelle.cle == "2027-11-21"  # 6 months after 21/05/2027
    assert nouvelle.due_le == minuit(datetime.date(2027, 11, 22))
    assert nouvelle.alertes == []  # renewable once: no second renewal to decide
    balayer_a(time_machine, ancienne.due_le)
    assert recharger(p).etat == Etat.EN_COURS and not Sortie.objects.filter(prestation=p).exists()


# --- MOV-13: the follow-up windows after a positive outcome -------------------------------


def test_mov13_fenetres_de_suivi_honorees_par_un_entretien_depassees_sinon(dossiers, time_machine):
    p = en_cours(dossiers)
    dossiers.sortie(p, TypeSortie.EMPLOI, jour(30), **CDI_TEMPS_PLEIN)  # CDI from 23/12/2026
    p = recharger(p)
    suivis = list(Echeance.objects.filter(prestation=p, type=TypeEcheance.SUIVI_EMPLOI).order_by("due_le"))
    assert [(s.cle, s.due_le) for s in suivis] == [
        ("2026-12-23", minuit(datetime.date(2026, 12, 30))),  # first week
        ("2026-12-30", minuit(datetime.date(2027, 1, 23))),  # rest of month 1
        ("2027-01-23", minuit(datetime.date(2027, 2, 23))),  # month 2
        ("2027-02-23", minuit(datetime.date(2027, 3, 23))),  # month 3
    ]
    assert {s.regle for s in suivis} == {"MOV-13"}
    # Out of the prestation en cours: no gap to watch, no term to apply.
    assert ligne(p, TypeEcheance.ECART_ENTRETIENS).etat == EtatEcheance.ANNULEE
    assert ligne(p, TypeEcheance.FIN_PRESTATION).etat == EtatEcheance.ANNULEE

    entretien = dossiers.entretien(p, jour(33), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    premiere = ligne(p, TypeEcheance.SUIVI_EMPLOI, cle="2026-12-23")
    assert (premiere.etat, premiere.honoree_le) == (EtatEcheance.HONOREE, entretien.debut)

    deuxieme = suivis[1]
    balayer_a(time_machine, minuit(datetime.date(2027, 1, 20)))
    assert avis(f"echeance:{deuxieme.pk}:alerte:1") == deux_canaux(REFERENT)
    balayer_a(time_machine, deuxieme.due_le - UNE_SECONDE)
    assert avis(f"echeance:{deuxieme.pk}:depassement") == set()
    balayer_a(time_machine, deuxieme.due_le)
    assert ligne(p, TypeEcheance.SUIVI_EMPLOI, cle="2026-12-30").etat == EtatEcheance.ECHUE
    assert avis(f"echeance:{deuxieme.pk}:depassement") == deux_canaux(PRESCRIPTEUR, REFERENT)
    assert avis(f"echeance:{premiere.pk}:depassement") == set()
    assert recharger(p).etat == Etat.SUIVI_EMPLOI  # a missed follow-up is notified, not a transition


# --- BCA-02 (6 weeks) and BAM (90 days): the term of the other dispositifs ----------------


@pytest.mark.parametrize(("dispositif", "jours"), [("BCA", 42), ("BAM", 90)])
def test_bca02_et_bam_duree_maximale_fin_automatique_au_terme(dossiers, time_machine, dispositif, jours):
    p = en_cours(dossiers, dispositif)
    assert p.date_fin == DEBUT + datetime.timedelta(days=jours - 1)
    fin = ligne(p, TypeEcheance.FIN_PRESTATION)
    assert fin.due_le == minuit(p.date_fin + datetime.timedelta(days=1))
    assert fin.alertes == []  # no renewal in these rule sets
    if dispositif == "BCA":
        assert fin.regle == "BCA-02"
    # Neither rule set has MOV's 7-day, 48-hour or 14-day rules.
    assert set(Echeance.objects.filter(prestation=p).values_list("type", flat=True)) == {TypeEcheance.FIN_PRESTATION}
    balayer_a(time_machine, fin.due_le - UNE_SECONDE)
    assert recharger(p).etat == Etat.EN_COURS
    balayer_a(time_machine, fin.due_le)
    p = recharger(p)
    assert (p.etat, p.motif_fin, p.terminee_le) == (Etat.TERMINEE, TypeSortie.TERME_SANS_EMPLOI, p.date_fin)
    assert avis(f"prestation:{p.pk}:fin") == deux_canaux(PRESCRIPTEUR, REFERENT)


# --- Automatic ends in a batch of the sweep ---------------------------------------------------


def _fin_attendue(p, etat, motif, le, type_evenement, cle_avis):
    """What an automatic end leaves on a case, whichever path wrote it."""
    p = recharger(p)
    assert (p.etat, p.motif_fin, p.terminee_le) == (etat, motif, le)
    [sortie] = Sortie.objects.filter(prestation=p)
    assert (sortie.type, sortie.positive, sortie.regle) == (motif, False, "SOR-04")
    assert Evenement.objects.filter(lettre_de_commande=p.lettre_de_commande_id, type=type_evenement).count() == 1
    assert avis(f"prestation:{p.pk}:{cle_avis}") == deux_canaux(PRESCRIPTEUR, REFERENT)
    return p


def test_mov10_mov07_fins_automatiques_en_lot_comme_une_a_une(dossiers, time_machine):
    """Several cases reaching their automatic end in one sweep are handled in one batch:
    each gets its sortie, journal entry, notice and échéances as a case ended alone."""
    nouveaux = [dossiers.nouveau() for _ in range(3)] + [dossiers.nouveau("BCA") for _ in range(3)]
    groupe, termes = [en_cours(dossiers, p=p) for p in nouveaux[:3]], [en_cours(dossiers, p=p) for p in nouveaux[3:]]
    ecart = ligne(groupe[0], TypeEcheance.ECART_ENTRETIENS)
    balayer_a(time_machine, ecart.due_le - UNE_SECONDE)  # the warnings of days 10 and 13
    resultat = balayer_a(time_machine, ecart.due_le)
    assert (resultat.examinees, resultat.depassements, resultat.transitions) == (3, 3, 3)
    le = timezone.localdate(ecart.due_le)
    for p in groupe:
        p = _fin_attendue(
            p,
            Etat.INTERROMPUE,
            TypeSortie.INTERRUPTION_ECART_ENTRETIENS,
            le,
            TypeEvenement.INTERRUPTION,
            "interruption",
        )
        assert ligne(p, TypeEcheance.ECART_ENTRETIENS).etat == EtatEcheance.ECHUE
        assert ligne(p, TypeEcheance.FIN_PRESTATION).etat == EtatEcheance.ANNULEE
        # LIV-03: 48 real hours from the interruption notice, as one case ended alone.
        notice = Notification.objects.get(
            cle=f"prestation:{p.pk}:interruption", canal=Canal.EMAIL, destinataire__email=PRESCRIPTEUR
        )
        information = ligne(p, TypeEcheance.INFORMATION_INTERRUPTION)
        assert (information.etat, information.due_le) == (
            EtatEcheance.A_VENIR,
            notice.cree_le + datetime.timedelta(hours=48),
        )
        # Nothing left for a person to do on the case: the lists show no next deadline.
        assert (p.prochaine_echeance, p.prochaine_echeance_libelle) == (None, "")

    fin = ligne(termes[0], TypeEcheance.FIN_PRESTATION)
    resultat = balayer_a(time_machine, fin.due_le)
    assert resultat.transitions == 3
    for p in termes:
        p = _fin_attendue(p, Etat.TERMINEE, TypeSortie.TERME_SANS_EMPLOI, p.date_fin, TypeEvenement.SORTIE, "fin")
        assert ligne(p, TypeEcheance.FIN_PRESTATION).etat == EtatEcheance.ECHUE
    # Idempotent: a second sweep at the same instant has nothing left to do.
    assert balayage.balayer(fin.due_le).examinees == 0


def test_fins_automatiques_en_lot_nombre_de_requetes_constant(dossiers, time_machine):
    """MOV-10: the queries of a sweep do not grow with the number of automatic ends."""
    premiers = [dossiers.nouveau() for _ in range(2)]
    suivants = [dossiers.nouveau(debut=DEBUT + datetime.timedelta(days=1)) for _ in range(5)]
    premiers, suivants = [en_cours(dossiers, p=p) for p in premiers], [en_cours(dossiers, p=p) for p in suivants]
    premier_terme = ligne(premiers[0], TypeEcheance.ECART_ENTRETIENS).due_le
    second_terme = ligne(suivants[0], TypeEcheance.ECART_ENTRETIENS).due_le
    assert second_terme - premier_terme == datetime.timedelta(days=1)
    balayer_a(time_machine, premier_terme - UNE_SECONDE)  # every warning, before the ends
    with CaptureQueriesContext(connection) as deux:
        assert balayer_a(time_machine, premier_terme).transitions == 2
    with CaptureQueriesContext(connection) as cinq:
        assert balayer_a(time_machine, second_terme).transitions == 5
    assert len(cinq) == len(deux)
    assert all(recharger(p).etat == Etat.INTERROMPUE for p in premiers + suivants)


# --- Idempotence -----------------------------------------------------------------------------


def _cas_dus_au_jour_16(dossiers):
    """Three cases with something due at midnight on day 16: a MOV-03 breach, a MOV-10
    interruption, a MOV-10 warning."""
    sans_contrat, sans_entretien, avec_entretien = (dossiers.nouveau() for _ in range(3))
    sans_entretien = en_cours(dossiers, p=sans_entretien)
    avec_entretien = en_cours(dossiers, p=avec_entretien)
    dossiers.entretien(avec_entretien, jour(6))
    envoyer_emails_en_attente()
    return sans_contrat, sans_entretien, avec_entretien


def test_idempotence_deux_balayages_au_meme_instant(dossiers, time_machine):
    sans_contrat, sans_entretien, avec_entretien = _cas_dus_au_jour_16(dossiers)
    premier = balayer_a(time_machine, minuit(jour(16)))
    assert (premier.avertissements, premier.depassements, premier.transitions) == (1, 2, 1)
    apres_premier = compter()
    second = balayage.balayer(minuit(jour(16)))
    assert (second.examinees, second.avertissements, second.depassements, second.transitions) == (0, 0, 0, 0)
    assert compter() == apres_premier
    assert Sortie.objects.filter(prestation=sans_entretien).count() == 1
    assert Evenement.objects.filter(type=TypeEvenement.INTERRUPTION).count() == 1
    assert recharger(sans_contrat).etat == Etat.A_CONTRACTUALISER
    assert recharger(avec_entretien).etat == Etat.EN_COURS
    assert Balayage.objects.count() == 2  # each run is recorded


@pytest.fixture
def celery_eager():
    """The e-mails queued after each commit are sent at once, in the thread that committed."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.mark.django_db(transaction=True)
def test_idempotence_deux_balayages_concurrents(dossiers, time_machine, settings, mailoutbox, celery_eager):
    """Two workers sweep the same moment: each notice and each transition happens once.

    The worst cases for two sweeps are there: cases with several rows due at once, next
    to each other in the sweep's order, so that each sweep may hold one row of a case
    while the other one ends it (the unsent contract copy and the MOV-10 gap; the gap
    and the term of a case whose last entretien was 39 days before its end date)."""
    au_terme = en_cours(dossiers)
    tenir_entretiens(dossiers, au_terme, jour(131))
    dossiers.entretien(au_terme, FIN_MOV - datetime.timedelta(days=39))  # gap's first warning = term's warning
    a_interrompre = [dossiers.nouveau(debut=jour(n)) for n in (150, 154, 158)]
    # Their contract copies never go out: the SMTP server refuses them until the outbox gives up.
    settings.EMAIL_BACKEND = "tests.support.email.EchecBackend"
    a_interrompre = [dossiers.contractualiser(p, p.date_debut + datetime.timedelta(days=1)) for p in a_interrompre]
    copies = Notification.objects.filter(
        cle__in=[f"prestation:{p.pk}:contrat_signe" for p in a_interrompre], canal=Canal.EMAIL
    )
    assert copies.count() == 3 and not copies.filter(envoyee_le__isnull=False).exists()
    copies.update(abandonnee=True, tentatives=5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    neuf_jours_avant = FIN_MOV - datetime.timedelta(days=9)
    dossiers.aller(neuf_jours_avant)
    sans_contrat = dossiers.nouveau(debut=neuf_jours_avant)  # MOV-03 breached by the day of the sweep
    a_avertir = en_cours(dossiers, p=dossiers.nouveau(debut=neuf_jours_avant), contrat=neuf_jours_avant)  # net day 10
    envoyer_emails_en_attente()  # the outbox is up to date before the sweep
    mailoutbox.clear()
    ecart, terme = (
        ligne(au_terme, TypeEcheance.ECART_ENTRETIENS, etat=EtatEcheance.A_VENIR),
        ligne(au_terme, TypeEcheance.FIN_PRESTATION),
    )
    assert ecart.prochaine_action_le == terme.prochaine_action_le
    maintenant = minuit(FIN_MOV + datetime.timedelta(days=1))
    time_machine.move_to(maintenant, tick=False)

    barriere, resultats, erreurs = threading.Barrier(2), [], []

    def un_balayage():
        try:
            barriere.wait(timeout=10)
            resultats.append(balayage.balayer(maintenant))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=un_balayage) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)
    assert not any(fil.is_alive() for fil in fils), "un balayage est resté bloqué"
    assert erreurs == [] and len(resultats) == 2
    echecs = [action for r in resultats for action in r.actions if "échec" in action]
    assert echecs == []  # no row failed (a deadlock between the two sweeps would, here)

    total = Counter()
    for r in resultats:
        total.update(avertissements=r.avertissements, depassements=r.depassements, transitions=r.transitions)
    # 3 unsent copies, 3 gaps, the case at its term (gap or term, one of them), its bilan
    # intermédiaire never transmitted (LIV-01), the MOV-03 breach; 4 automatic ends; the warning.
    assert total == Counter(avertissements=1, depassements=9, transitions=4)
    assert balayage.balayer(maintenant).examinees == 0  # nothing left, nothing reopened
    for p in a_interrompre:
        p = recharger(p)
        assert (p.etat, p.motif_fin) == (Etat.INTERROMPUE, TypeSortie.INTERRUPTION_ECART_ENTRETIENS)
        assert Sortie.objects.filter(prestation=p).count() == 1
        journal = Evenement.objects.filter(lettre_de_commande=p.lettre_de_commande_id, type=TypeEvenement.INTERRUPTION)
        assert journal.count() == 1
        assert avis(f"prestation:{p.pk}:interruption") == deux_canaux(PRESCRIPTEUR, REFERENT)
        etats = dict(Echeance.objects.filter(prestation=p).values_list("type", "etat"))
        assert etats[TypeEcheance.COPIE_CONTRAT] == EtatEcheance.ECHUE
        assert etats[TypeEcheance.ECART_ENTRETIENS] == EtatEcheance.ECHUE
        assert etats[TypeEcheance.FIN_PRESTATION] == EtatEcheance.ANNULEE
    # The case at its term ended once, by whichever of its two rows came first.
    assert recharger(au_terme).etat in (Etat.INTERROMPUE, Etat.TERMINEE)
    assert Sortie.objects.filter(prestation=au_terme).count() == 1
    ecart.refresh_from_db()
    terme.refresh_from_db()
    assert {ecart.etat, terme.etat} == {EtatEcheance.ECHUE, EtatEcheance.ANNULEE}
    assert recharger(sans_contrat).etat == Etat.A_CONTRACTUALISER
    assert ligne(sans_contrat, TypeEcheance.CONTRACTUALISATION).etat == EtatEcheance.ECHUE
    assert ligne(a_avertir, TypeEcheance.ECART_ENTRETIENS).alertes_envoyees == 1
    # Each e-mail went out once (the outbox is sent from both threads as they commit).
    envoyes = Counter((tuple(m.to), m.subject) for m in mailoutbox)
    assert envoyes and max(envoyes.values()) == 1, [k for k, n in envoyes.items() if n > 1]
    assert not Notification.objects.email_a_envoyer().exists()


def test_lots_de_taille_bornee_toutes_les_lignes_d_un_dossier_ensemble(monkeypatch):
    """The due rows are cut into batches of at most TAILLE_LOT rows, in the sweep's order,
    all the rows of a case in one batch (two batches never lock the same case)."""
    monkeypatch.setattr(balayage, "TAILLE_LOT", 500)
    dues = [(ligne, ligne // 3) for ligne in range(2079)]  # three rows per case
    lots = balayage.lots(dues)
    assert [len(lot) for lot in lots] == [501, 501, 501, 501, 75]  # a case is never split
    assert [due for lot in lots for due in lot] == dues
    assert all(
        not ({cas for _, cas in lot} & {cas for _, cas in autre}) for lot in lots for autre in lots if lot is not autre
    )
    assert balayage.lots([]) == []


def test_balayage_par_petits_lots_chaque_avis_et_fin_une_seule_fois(dossiers, time_machine, monkeypatch):
    """MOV-03 / MOV-10: a sweep of several batches handles every row once, every notice
    and automatic end happens once, and the run's counters add up the batches."""
    monkeypatch.setattr(balayage, "TAILLE_LOT", 2)
    cas = [dossiers.nouveau() for _ in range(6)]
    sans_contrat, sans_entretien, avec_entretien = cas[0:2], cas[2:4], cas[4:6]
    sans_entretien = [en_cours(dossiers, p=p) for p in sans_entretien]
    avec_entretien = [en_cours(dossiers, p=p) for p in avec_entretien]
    for p in avec_entretien:
        dossiers.entretien(p, jour(6))
    envoyer_emails_en_attente()
    avant = Notification.objects.count()
    lots_traites = []
    original = balayage.traiter_lot

    def espion(lot, maintenant, resultat):
        lots_traites.append(lot)
        return original(lot, maintenant, resultat)

    monkeypatch.setattr(balayage, "traiter_lot", espion)
    resultat = balayer_a(time_machine, minuit(jour(16)))
    assert len(lots_traites) == 3  # three batches of two cases
    assert (resultat.examinees, resultat.avertissements, resultat.depassements, resultat.transitions) == (6, 2, 4, 2)
    assert len(resultat.actions) == 6 and not any("échec" in a for a in resultat.actions)
    assert Balayage.objects.latest("debut").depassements == 4
    for p in sans_entretien:
        assert recharger(p).etat == Etat.INTERROMPUE
        assert Sortie.objects.filter(prestation=p).count() == 1
        assert avis(f"prestation:{p.pk}:interruption") >= deux_canaux(PRESCRIPTEUR)
        assert ligne(p, TypeEcheance.ECART_ENTRETIENS).etat == EtatEcheance.ECHUE
    for p in sans_contrat:
        assert (recharger(p).etat, ligne(p, TypeEcheance.CONTRACTUALISATION).etat) == (
            Etat.A_CONTRACTUALISER,
            EtatEcheance.ECHUE,
        )
    for p in avec_entretien:
        assert recharger(p).etat == Etat.EN_COURS
        assert ligne(p, TypeEcheance.ECART_ENTRETIENS, etat=EtatEcheance.AVERTIE).alertes_envoyees == 1
    # Written once each: no notice key twice for a recipient and channel, none lost.
    ecrits = Notification.objects.order_by().values_list("destinataire", "canal", "cle")[avant:]
    assert len(ecrits) == len(set(ecrits)) > 0
    assert balayage.balayer(minuit(jour(16))).examinees == 0


# --- The operator's command ------------------------------------------------------------------


def _etat_des_lieux():
    return {
        "echeances": sorted(Echeance.objects.values_list("pk", "etat", "alertes_envoyees", "prochaine_action_le")),
        "prestations": sorted(Prestation.objects.values_list("pk", "etat")),
        "balayages": Balayage.objects.count(),
        **compter(),
    }


def test_commande_echeances_dry_run_dit_ce_qu_elle_ferait_sans_rien_ecrire(dossiers, time_machine):
    sans_contrat, sans_entretien, _ = _cas_dus_au_jour_16(dossiers)
    time_machine.move_to(datetime.datetime(2026, 12, 21, 8, 0, tzinfo=PARIS), tick=False)
    avant = _etat_des_lieux()
    sortie = StringIO()
    call_command("echeances", date="2026-12-20", dry_run=True, stdout=sortie)
    texte = sortie.getvalue()
    assert _etat_des_lieux() == avant  # no notice, no state change, no Balayage row
    numero_sans_contrat = sans_contrat.lettre_de_commande.numero
    numero_sans_entretien = sans_entretien.lettre_de_commande.numero
    assert f"[simulation] {numero_sans_contrat} — Contractualisation" in texte and "(MOV-03)" in texte
    assert f"[simulation] {numero_sans_entretien} — Prochain entretien" in texte
    assert "dépassement, prestation interrompue" in texte
    assert "[simulation] Balayage au 20/12/2026 23:59" in texte and "Rien n'a été écrit ni envoyé." in texte

    sortie = StringIO()
    call_command("echeances", date="2026-12-20", stdout=sortie)
    reel = sortie.getvalue()
    assert "[simulation]" not in reel
    # The dry run said exactly what the sweep then did, row by row (its rows see the
    # changes of the rows before them, as in the real sweep).
    simule = [ligne.removeprefix("[simulation] ") for ligne in texte.splitlines()[:-1]]
    assert simule == reel.splitlines()[:-1]
    texte = reel
    [balayage] = Balayage.objects.all()
    assert (balayage.maintenant, balayage.simulation, balayage.depassements, balayage.transitions) == (
        datetime.datetime(2026, 12, 20, 23, 59, tzinfo=PARIS),
        False,
        3,  # MOV-03, and both MOV-10 gaps
        2,
    )
    assert "3 dépassement(s), 2 transition(s) automatique(s)" in texte
    assert recharger(sans_entretien).etat == Etat.INTERROMPUE
    assert ligne(sans_contrat, TypeEcheance.CONTRACTUALISATION).etat == EtatEcheance.ECHUE


def test_mov10_dry_run_voit_la_fin_automatique_des_lignes_precedentes(dossiers, time_machine):
    """MOV-10 / MOV-07: replayed after its end date, a case left without entretien ends
    by its gap (the earlier row); its term row is then void. The dry run says so too:
    each row it simulates sees what the rows before it did, as in the real sweep."""
    p = en_cours(dossiers)
    apres_le_terme = FIN_MOV + datetime.timedelta(days=2)
    time_machine.move_to(datetime.datetime.combine(apres_le_terme, datetime.time(8, 0), tzinfo=PARIS), tick=False)
    simule, reel = StringIO(), StringIO()
    call_command("echeances", date=apres_le_terme.isoformat(), dry_run=True, stdout=simule)
    call_command("echeances", date=apres_le_terme.isoformat(), stdout=reel)
    numero = p.lettre_de_commande.numero
    lignes_simulees = simule.getvalue().splitlines()
    simulees = [ligne.removeprefix("[simulation] ") for ligne in lignes_simulees if numero in ligne]
    reelles = [ligne for ligne in reel.getvalue().splitlines() if numero in ligne]
    assert simulees == reelles
    assert reelles[0] == (
        f"{numero} — Prochain entretien au plus tard le {jour(15):%d/%m/%Y} (MOV-10) : dépassement, "
        "prestation interrompue"
    )
    # The term row and the others are void once the case ended: closed with it, not acted on.
    assert reelles[1:] == []
    assert "1 transition(s) automatique(s)" in lignes_simulees[-1]
    p = recharger(p)
    assert (p.etat, Sortie.objects.filter(prestation=p).count()) == (Etat.INTERROMPUE, 1)
    assert ligne(p, TypeEcheance.FIN_PRESTATION).etat == EtatEcheance.ANNULEE


@pytest.mark.parametrize("seul", [True, False], ids=["un-dossier", "un-lot"])
def test_mov10_rejouer_une_journee_date_les_echeances_du_jour_rejoue(dossiers, time_machine, seul):
    """A replay (``--date``) rewrites the rows of a case it ends as of the replayed day,
    whether it handles the case alone or in a batch: not as of the day it runs."""
    cas = [dossiers.nouveau() for _ in range(1 if seul else 3)]
    cas = [en_cours(dossiers, p=p) for p in cas]
    time_machine.move_to(datetime.datetime(2026, 12, 28, 8, 0, tzinfo=PARIS), tick=False)
    call_command("echeances", date="2026-12-20", stdout=StringIO())
    rejoue = datetime.datetime(2026, 12, 20, 23, 59, tzinfo=PARIS)
    for p in cas:
        assert recharger(p).etat == Etat.INTERROMPUE
        assert ligne(p, TypeEcheance.FIN_PRESTATION).annulee_le == rejoue


def test_commande_echeances_date_invalide(db):
    with pytest.raises(CommandError, match="Date invalide : '2026-13-45' \\(format attendu AAAA-MM-JJ\\)"):
        call_command("echeances", date="2026-13-45", stdout=StringIO())
    assert not Balayage.objects.exists()


# --- Rows that lost their object --------------------------------------------------------------


def test_dossier_clos_entre_temps_ses_echeances_sont_annulees_pas_honorees(dossiers):
    avant_contrat, p = dossiers.nouveau(), dossiers.nouveau()
    dossiers.aller(jour(2))
    fins.interrompre(dossiers.referent, avant_contrat, type=TypeSortie.ABANDON, motif="Injoignable.")
    # The contractualisation never took place: void, not met.
    contractualisation = ligne(avant_contrat, TypeEcheance.CONTRACTUALISATION)
    assert (contractualisation.etat, contractualisation.honoree_le) == (EtatEcheance.ANNULEE, None)
    assert contractualisation.annulee_le is not None

    p = en_cours(dossiers, p=p, contrat=jour(2))
    dossiers.aller(jour(5))
    fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Déménagement.")
    ecart = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert (ecart.etat, ecart.honoree_le) == (EtatEcheance.ANNULEE, None)  # no entretien met it
    assert ligne(p, TypeEcheance.FIN_PRESTATION).etat == EtatEcheance.ANNULEE


def test_echeance_restee_ouverte_sur_un_dossier_clos_le_balayage_la_clot_sans_agir(dossiers, time_machine):
    p = en_cours(dossiers)
    dossiers.aller(jour(5))
    fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Déménagement.")
    envoyer_emails_en_attente()
    # Rows a failed synchronisation would have left open, due long ago.
    perimees = Echeance.objects.filter(
        prestation=p, type__in=[TypeEcheance.ECART_ENTRETIENS, TypeEcheance.FIN_PRESTATION]
    )
    perimees.update(etat=EtatEcheance.A_VENIR, annulee_le=None, prochaine_action_le=minuit(jour(10)))
    contractualisation = ligne(p, TypeEcheance.CONTRACTUALISATION)
    Echeance.objects.filter(pk=contractualisation.pk).update(
        etat=EtatEcheance.A_VENIR, honoree_le=None, prochaine_action_le=minuit(jour(8))
    )
    avant = compter()
    resultat = balayer_a(time_machine, minuit(jour(200)))
    assert (resultat.depassements, resultat.transitions, resultat.avertissements) == (0, 0, 0)
    assert compter()["sorties"] == avant["sorties"] == 1  # the abandonment only
    assert compter()["evenements"] == avant["evenements"]
    for echeance in perimees:
        assert (echeance.etat, echeance.annulee_le, echeance.honoree_le) == (
            EtatEcheance.ANNULEE,
            minuit(jour(200)),
            None,
        )
        assert avis(f"echeance:{echeance.pk}:depassement") == set()
    contractualisation.refresh_from_db()
    assert (contractualisation.etat, contractualisation.honoree_le) == (EtatEcheance.HONOREE, minuit(jour(1)))
    assert recharger(p).etat == Etat.INTERROMPUE


def test_une_echeance_en_echec_n_arrete_pas_le_balayage(dossiers, time_machine, monkeypatch, caplog):
    bloquee = en_cours(dossiers)  # its MOV-10 gap is due on day 16
    dossiers.aller(jour(10), heure=9)
    sans_contrat = dossiers.nouveau(debut=jour(12))  # its MOV-03 row is looked at on day 17, after

    def en_panne(prestations, **kwargs):
        raise RuntimeError("panne")

    # The automatic end, in a batch or alone.
    monkeypatch.setitem(balayage.FINS_AUTOMATIQUES, TypeEcheance.ECART_ENTRETIENS, en_panne)
    resultat = balayer_a(time_machine, minuit(jour(20)))
    assert ligne(sans_contrat, TypeEcheance.CONTRACTUALISATION).etat == EtatEcheance.ECHUE
    assert resultat.depassements == 1
    assert "échec du traitement" in caplog.text
    # The failed row is untouched, still due: the next sweep applies it.
    assert recharger(bloquee).etat == Etat.EN_COURS
    assert ligne(bloquee, TypeEcheance.ECART_ENTRETIENS).etat == EtatEcheance.A_VENIR
    monkeypatch.undo()
    assert balayer_a(time_machine, minuit(jour(20)) + UNE_SECONDE).transitions == 1
    assert recharger(bloquee).etat == Etat.INTERROMPUE


def test_faits_et_echeance_mov10_concordent(dossiers):
    """The case page's gap (faits) and the row the sweep acts on give the same last day."""
    p = en_cours(dossiers)
    dossiers.suspension(p, MotifSuspension.CONGES, jour(4), jour(6))
    chargee = faits.charger(Prestation.objects.select_related("lettre_de_commande")).get(pk=p.pk)
    derniere_date = faits.date_limite_ecart(chargee, jour(2))
    assert ligne(p, TypeEcheance.ECART_ENTRETIENS).due_le == minuit(derniere_date + datetime.timedelta(days=1))


# --- The re-check: the facts version of a case -------------------------------------------


def version(p) -> int:
    return Prestation.objects.values_list("version_faits", flat=True).get(pk=p.pk)


def test_version_des_faits_suit_tout_ce_que_les_regles_lisent(dossiers, monde):
    """Any change of what the rules read moves the case's facts version, whoever makes it
    (a service, the admin, a ``QuerySet.update``); what they do not read leaves it."""
    p = en_cours(dossiers)
    [ecart] = Echeance.objects.filter(prestation=p, type=TypeEcheance.ECART_ENTRETIENS)
    assert ecart.version_faits == version(p)  # the open rows are vouched for at the case's version
    entretien = dossiers.entretien(p, jour(3))
    assert ligne(p, TypeEcheance.ECART_ENTRETIENS, etat=EtatEcheance.A_VENIR).version_faits == version(p)
    livrable = Livrable(
        prestation=p,
        type="bilan_intermediaire",
        fichier="livrables/x.pdf",
        nom_original="x.pdf",
        taille=1,
        empreinte="0" * 64,
        transmis_le=timezone.now(),
        depose_par=monde.referent.user,
    )
    ecritures = [
        lambda: Entretien.objects.filter(pk=entretien.pk).update(duree_minutes=45),
        lambda: Suspension.objects.bulk_create(
            [
                Suspension(
                    prestation=p, motif=MotifSuspension.CONGES, debut=jour(4), fin=jour(5), auteur=entretien.auteur
                )
            ]
        ),
        lambda: Suspension.objects.filter(prestation=p).delete(),
        lambda: livrable.save(),
        lambda: Entretien.objects.filter(pk=entretien.pk).delete(),
        lambda: Prestation.objects.filter(pk=p.pk).update(date_fin=FIN_MOV + datetime.timedelta(days=1)),
    ]
    for ecrire in ecritures:
        avant = version(p)
        ecrire()
        assert version(p) == avant + 1
    # The next deadline the lists sort on is not a fact: rewriting it changes nothing.
    avant = version(p)
    Prestation.objects.filter(pk=p.pk).update(prochaine_echeance=jour(30), prochaine_echeance_libelle="Autre")
    assert version(p) == avant
    # A copy read before a change cannot put the version back by saving.
    copie = Prestation.objects.get(pk=p.pk)
    dossiers.entretien(p, jour(6))
    apres = version(p)
    copie.save()
    assert version(p) == apres


def test_mov10_entretien_saisi_hors_des_services_le_balayage_recalcule_l_echeance(dossiers, time_machine):
    """MOV-10: a row is acted upon as it stands only while its case's facts are those it
    was computed from. An entretien written without the services (so without its row
    being rewritten) changes the version: the sweep recomputes the row from the facts,
    finds the gap restarted and honours it instead of interrupting the prestation."""
    p = en_cours(dossiers)
    ecart = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    entretien = dossiers.entretien(p, jour(8))
    Echeance.objects.filter(pk=ecart.pk).update(  # the rows as they were before that entretien
        etat=EtatEcheance.A_VENIR, honoree_le=None, prochaine_action_le=ecart.prochaine_action_le, version_faits=None
    )
    Echeance.objects.filter(prestation=p, type=TypeEcheance.ECART_ENTRETIENS).exclude(pk=ecart.pk).delete()
    Echeance.objects.filter(pk=ecart.pk).update(version_faits=version(p))  # vouched for now…
    Entretien.objects.filter(pk=entretien.pk).update(duree_minutes=50)  # …until a fact changes
    resultat = balayer_a(time_machine, ecart.due_le)
    assert (resultat.transitions, resultat.honorees) == (0, 1)
    assert recharger(p).etat == Etat.EN_COURS
    ecart.refresh_from_db()
    assert (ecart.etat, ecart.honoree_le) == (EtatEcheance.HONOREE, entretien.debut)


def test_mov10_sans_fait_nouveau_le_balayage_ne_relit_pas_les_faits(dossiers, time_machine):
    """MOV-10 warnings on cases unchanged since their rows were computed: the sweep acts on
    the rows as they stand, without reading the entretiens, suspensions and périodes."""
    cas = [en_cours(dossiers, p=p) for p in [dossiers.nouveau() for _ in range(3)]]
    alerte = ligne(cas[0], TypeEcheance.ECART_ENTRETIENS).alertes[0]
    with CaptureQueriesContext(connection) as requetes:
        resultat = balayer_a(time_machine, alerte)
    assert (resultat.examinees, resultat.avertissements) == (3, 3)
    lues = " ".join(q["sql"] for q in requetes.captured_queries)
    for table in ("prestations_entretien", "prestations_suspension", "prestations_periodeenentreprise"):
        assert f'FROM "{table}"' not in lues
    for p in cas:
        echeance = ligne(p, TypeEcheance.ECART_ENTRETIENS)
        assert avis(f"echeance:{echeance.pk}:alerte:1") == deux_canaux(REFERENT)


def test_mov10_suspension_saisie_hors_des_services_le_balayage_repousse_l_echeance(dossiers, time_machine):
    """MOV-10: a suspension written without the services (its row not rewritten) still
    pauses the clock: at the former due time the sweep recomputes the row from the facts,
    moves its due time by the suspension's days and does not interrupt the prestation."""
    p = en_cours(dossiers)
    ecart = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert ecart.due_le == minuit(jour(16))
    Suspension.objects.create(  # 5 days, recorded by hand
        prestation=p, motif=MotifSuspension.MALADIE, debut=jour(5), fin=jour(9), auteur=dossiers.referent.user
    )
    resultat = balayer_a(time_machine, minuit(jour(16)))
    assert resultat.transitions == 0
    assert recharger(p).etat == Etat.EN_COURS
    ecart.refresh_from_db()
    assert (ecart.etat, ecart.due_le) == (EtatEcheance.AVERTIE, minuit(jour(21)))
    assert ecart.alertes == [minuit(jour(16)), minuit(jour(19))]
    assert ecart.version_faits == version(p)  # vouched for again: the next sweeps trust it
    assert balayer_a(time_machine, minuit(jour(21))).transitions == 1
    assert recharger(p).etat == Etat.INTERROMPUE
