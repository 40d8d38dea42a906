"""The deadlines of a case's entry (issue 5): the contractualisation within 7 days (MOV-03),
warned on day 5 and breached once day 7 is over, at midnight in Paris; the notices to the
prescripteur within 48 real hours (MOV-05, MOV-06, LIV-03), exactly once.

Every test builds its cases through the services (the ``dossiers`` fixture), moves the
clock with time-machine and sweeps at a given moment, as the beat schedule or
``manage.py echeances --date`` would.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from comptes.envoi import envoyer_emails_en_attente, notification_envoyee
from comptes.models import Canal, Notification
from prestations.commandes import services
from prestations.models import Etat, Modalite, Prestation
from prestations.models.echeances import Echeance, EtatEcheance, TypeEcheance
from prestations.sorties import TypeSortie
from prestations.suivi import contractualisation, fins
from tests.prestations.dossiers import PARIS, jour, recharger
from tests.support.echeances import (
    PRESCRIPTEUR,
    REFERENT,
    RESPONSABLE,
    UNE_SECONDE,
    avis,
    balayer_a,
    deux_canaux,
    ligne,
    minuit,
)

pytestmark = pytest.mark.django_db


# --- MOV-03: contractualisation within 7 days, warning day 5, breach day 7 ----------------


def test_mov03_echeance_creee_avec_la_ldc_avertie_j5_et_depassee_j8(dossiers, monde, time_machine):
    ldc = dossiers.commande()
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
    dossiers.contractualise(p, jour(9))
    assert ligne(p, TypeEcheance.CONTRACTUALISATION).etat == EtatEcheance.ECHUE


def test_mov03_contractualisation_dans_les_temps_honore_l_echeance(dossiers, time_machine):
    p = dossiers.nouveau()
    echeance = ligne(p, TypeEcheance.CONTRACTUALISATION)
    dossiers.contractualise(p, jour(3))
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


def _evenement_a_notifier(dossiers, regle: str) -> Prestation:
    if regle == "MOV-05":
        return dossiers.contractualise(dossiers.nouveau(), jour(1), signe=True)
    if regle == "MOV-06":
        return dossiers.contractualise(dossiers.nouveau(), jour(1), signe=False)
    p = dossiers.en_cours(copie_envoyee=True)  # its contract copy went out
    dossiers.aller(jour(3), heure=11)
    fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Ne se présente plus.")
    return p


#: The notices whose sending meets their rule (MOV-05 is met by the signed contract's
#: transmission: tests/livrables/test_mov05_liv03.py).
HONOREES_PAR_L_ENVOI = ["MOV-06", "LIV-03"]


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
    p = dossiers.contractualise(dossiers.nouveau(), jour(1), signe=False)
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
