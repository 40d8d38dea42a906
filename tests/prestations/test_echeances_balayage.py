"""The sweep itself (issue 5): automatic ends in a batch, idempotence (twice at the same
instant, two workers at once), bounded batches, and the rows whose case changed under
them (closed, failed, recomputed).

Every test builds its cases through the services (the ``dossiers`` fixture), moves the
clock with time-machine and sweeps at a given moment, as the beat schedule or
``manage.py echeances --date`` would.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptes.envoi import envoyer_emails_en_attente
from comptes.models import Canal, Notification
from config.celery import app as celery_app
from prestations import faits
from prestations.echeances import balayage
from prestations.models import Etat, Evenement, MotifSuspension, Prestation, Sortie, TypeEvenement
from prestations.models.echeances import Balayage, Echeance, EtatEcheance, TypeEcheance
from prestations.sorties import TypeSortie
from prestations.suivi import fins
from tests.prestations.dossiers import DEBUT, FIN_MOV, jour, recharger
from tests.support.echeances import (
    PRESCRIPTEUR,
    REFERENT,
    UNE_SECONDE,
    avis,
    balayer_a,
    cas_dus_au_jour_16,
    compter,
    deux_canaux,
    ligne,
    minuit,
)

pytestmark = pytest.mark.django_db


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
    groupe, termes = (
        [dossiers.en_cours(dossier=p, copie_envoyee=True) for p in nouveaux[:3]],
        [dossiers.en_cours(dossier=p, copie_envoyee=True) for p in nouveaux[3:]],
    )
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
    premiers, suivants = (
        [dossiers.en_cours(dossier=p, copie_envoyee=True) for p in premiers],
        [dossiers.en_cours(dossier=p, copie_envoyee=True) for p in suivants],
    )
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


def test_idempotence_deux_balayages_au_meme_instant(dossiers, time_machine):
    sans_contrat, sans_entretien, avec_entretien = cas_dus_au_jour_16(dossiers)
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
    au_terme = dossiers.en_cours(copie_envoyee=True)
    dossiers.tenir_entretiens(au_terme, jour(131))
    dossiers.entretien(au_terme, FIN_MOV - datetime.timedelta(days=39))  # gap's first warning = term's warning
    a_interrompre = [dossiers.nouveau(debut=jour(n)) for n in (150, 154, 158)]
    # Their contract copies never go out: the SMTP server refuses them until the outbox gives up.
    settings.EMAIL_BACKEND = "tests.support.email.EchecBackend"
    a_interrompre = [dossiers.contractualise(p, p.date_debut + datetime.timedelta(days=1)) for p in a_interrompre]
    copies = Notification.objects.filter(
        cle__in=[f"prestation:{p.pk}:contrat_signe" for p in a_interrompre], canal=Canal.EMAIL
    )
    assert copies.count() == 3 and not copies.filter(envoyee_le__isnull=False).exists()
    copies.update(abandonnee=True, tentatives=5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    neuf_jours_avant = FIN_MOV - datetime.timedelta(days=9)
    dossiers.aller(neuf_jours_avant)
    sans_contrat = dossiers.nouveau(debut=neuf_jours_avant)  # MOV-03 breached by the day of the sweep
    a_avertir = dossiers.en_cours(dossier=dossiers.nouveau(debut=neuf_jours_avant), date=neuf_jours_avant)  # day 10
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
    sans_entretien = [dossiers.en_cours(dossier=p, copie_envoyee=True) for p in sans_entretien]
    avec_entretien = [dossiers.en_cours(dossier=p, copie_envoyee=True) for p in avec_entretien]
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


# --- Rows that lost their object --------------------------------------------------------------


def test_dossier_clos_entre_temps_ses_echeances_sont_annulees_pas_honorees(dossiers):
    avant_contrat, p = dossiers.nouveau(), dossiers.nouveau()
    dossiers.aller(jour(2))
    fins.interrompre(dossiers.referent, avant_contrat, type=TypeSortie.ABANDON, motif="Injoignable.")
    # The contractualisation never took place: void, not met.
    contractualisation = ligne(avant_contrat, TypeEcheance.CONTRACTUALISATION)
    assert (contractualisation.etat, contractualisation.honoree_le) == (EtatEcheance.ANNULEE, None)
    assert contractualisation.annulee_le is not None

    p = dossiers.en_cours(date=jour(2), dossier=p, copie_envoyee=True)
    dossiers.aller(jour(5))
    fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Déménagement.")
    ecart = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert (ecart.etat, ecart.honoree_le) == (EtatEcheance.ANNULEE, None)  # no entretien met it
    assert ligne(p, TypeEcheance.FIN_PRESTATION).etat == EtatEcheance.ANNULEE


def test_echeance_restee_ouverte_sur_un_dossier_clos_le_balayage_la_clot_sans_agir(dossiers, time_machine):
    p = dossiers.en_cours(copie_envoyee=True)
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
    bloquee = dossiers.en_cours(copie_envoyee=True)  # its MOV-10 gap is due on day 16
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
    p = dossiers.en_cours(copie_envoyee=True)
    dossiers.suspension(p, MotifSuspension.CONGES, jour(4), jour(6))
    chargee = faits.charger(Prestation.objects.select_related("lettre_de_commande")).get(pk=p.pk)
    derniere_date = faits.date_limite_ecart(chargee, jour(2))
    assert ligne(p, TypeEcheance.ECART_ENTRETIENS).due_le == minuit(derniere_date + datetime.timedelta(days=1))
