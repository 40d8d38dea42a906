"""The deadlines of a running case (issue 5): the 14-day gap between entretiens (MOV-10),
the term and the renewal (MOV-07, MOV-08), the follow-up windows (MOV-13) and the term of
the other dispositifs (BCA-02, BAM), each warned, breached and acted upon once.

Every test builds its cases through the services (the ``dossiers`` fixture), moves the
clock with time-machine and sweeps at a given moment, as the beat schedule or
``manage.py echeances --date`` would.
"""

from __future__ import annotations

import datetime

import pytest

from prestations.models import Etat, Evenement, Modalite, MotifSuspension, Sortie, TypeEvenement
from prestations.models.echeances import Echeance, EtatEcheance, TypeEcheance
from prestations.sorties import TypeSortie
from prestations.suivi import renouvellement
from tests.prestations.dossiers import CDI_TEMPS_PLEIN, DEBUT, FIN_MOV, acteur, faits_de, jour, recharger
from tests.support.echeances import PRESCRIPTEUR, REFERENT, UNE_SECONDE, avis, balayer_a, deux_canaux, ligne, minuit

pytestmark = pytest.mark.django_db


# --- MOV-10: more than 14 net days without an entretien ends the prestation -------------


def test_mov10_l_echeance_suit_chaque_entretien(dossiers):
    p = dossiers.en_cours(copie_envoyee=True)
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
    p = dossiers.en_cours(copie_envoyee=True)
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
    p = dossiers.en_cours(copie_envoyee=True)
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
    p = dossiers.en_cours(copie_envoyee=True)
    dossiers.periode(p, jour(3), jour(9))  # 7 days in a company
    echeance = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert echeance.due_le == minuit(jour(16 + 7))
    balayer_a(time_machine, minuit(jour(23)) - UNE_SECONDE)
    assert recharger(p).etat == Etat.EN_COURS
    balayer_a(time_machine, minuit(jour(23)))
    assert recharger(p).etat == Etat.INTERROMPUE


def test_mov10_a_minuit_heure_de_paris_a_travers_le_changement_d_heure(dossiers, time_machine):
    dossiers.aller(datetime.date(2026, 10, 18), heure=10)
    p = dossiers.en_cours(date=datetime.date(2026, 10, 20), debut=datetime.date(2026, 10, 19), copie_envoyee=True)
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
    p = dossiers.en_cours(copie_envoyee=True)
    fin = ligne(p, TypeEcheance.FIN_PRESTATION)
    assert (fin.regle, fin.due_le) == ("MOV-07", minuit(FIN_MOV + datetime.timedelta(days=1)))
    assert fin.alertes == [minuit(FIN_MOV - datetime.timedelta(days=29))]  # the 30 days in which to renew
    dossiers.tenir_entretiens(p, FIN_MOV - datetime.timedelta(days=30))
    balayer_a(time_machine, fin.alertes[0] - UNE_SECONDE)
    assert avis(f"echeance:{fin.pk}:alerte:1") == set()
    balayer_a(time_machine, fin.alertes[0])
    assert avis(f"echeance:{fin.pk}:alerte:1") == deux_canaux(PRESCRIPTEUR)

    dossiers.tenir_entretiens(p, FIN_MOV - datetime.timedelta(days=9))
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
    p = dossiers.en_cours(copie_envoyee=True)
    ancienne = ligne(p, TypeEcheance.FIN_PRESTATION)
    dossiers.tenir_entretiens(p, FIN_MOV - datetime.timedelta(days=6))
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
    p = dossiers.en_cours(copie_envoyee=True)
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
    p = dossiers.en_cours(dispositif, copie_envoyee=True)
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
