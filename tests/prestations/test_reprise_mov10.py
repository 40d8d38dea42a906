"""SPEC §4, MOV-10: an automatic end that facts entered within a short grace period show to
be wrong (an entretien held inside the allowed gap, logged the next morning) is undone,
journaled and notified."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commun.exceptions import ActionRefusee
from comptes.envoi import envoyer_emails_en_attente
from comptes.models import Canal, Notification
from prestations.echeances import balayage
from prestations.models import Echeance, Etat, EtatEcheance, Evenement, Prestation, Sortie, TypeEcheance, TypeEvenement
from prestations.suivi import entretiens

pytestmark = pytest.mark.django_db


def _fin_automatique(dossiers, time_machine):
    """A MOV case whose last entretien was on day 1: the sweep ends it when day 16 starts."""
    p = dossiers.en_cours()
    envoyer_emails_en_attente()
    ecart = Echeance.objects.get(prestation=p, type=TypeEcheance.ECART_ENTRETIENS, etat__in=["a_venir", "avertie"])
    time_machine.move_to(ecart.due_le, tick=False)
    assert balayage.balayer(ecart.due_le).transitions == 1
    p = Prestation.objects.get(pk=p.pk)
    assert p.etat == Etat.INTERROMPUE
    return p, ecart.dernier_jour


def test_mov10_entretien_tenu_dans_l_ecart_saisi_le_lendemain_annule_la_fin_automatique(dossiers, time_machine, monde):
    p, dernier_jour = _fin_automatique(dossiers, time_machine)
    dossiers.aller(dernier_jour + datetime.timedelta(days=1), heure=9)  # the next morning
    entretien = dossiers.entretien(p, dernier_jour, heure=17)  # held on the last allowed day
    p = Prestation.objects.get(pk=p.pk)
    assert (p.etat, p.terminee_le, p.motif_fin) == (Etat.EN_COURS, None, "")
    assert not Sortie.objects.filter(prestation=p).exists()
    [reprise] = Evenement.objects.filter(lettre_de_commande=p.lettre_de_commande_id, type=TypeEvenement.REPRISE)
    assert "est annulée" in reprise.message and "MOV-10" in reprise.message
    avis = set(
        Notification.objects.filter(cle__startswith=f"prestation:{p.pk}:reprise:", canal=Canal.EMAIL).values_list(
            "destinataire__email", flat=True
        )
    )
    assert avis == {"presc.a@exemple.test", "ref.x@exemple.test"}
    # The breached gap was met after all; the case owes its end at term and its next entretien again.
    lignes = {(e.type, e.etat) for e in Echeance.objects.filter(prestation=p)}
    assert (TypeEcheance.ECART_ENTRETIENS, EtatEcheance.HONOREE) in lignes
    assert (TypeEcheance.FIN_PRESTATION, EtatEcheance.A_VENIR) in lignes
    nouvelle = Echeance.objects.get(prestation=p, type=TypeEcheance.ECART_ENTRETIENS, etat=EtatEcheance.A_VENIR)
    assert nouvelle.cle == timezone.localtime(entretien.debut).date().isoformat()
    assert p.prochaine_echeance is not None


def test_mov10_un_entretien_apres_la_limite_ne_ranime_pas_le_dossier(dossiers, time_machine):
    p, dernier_jour = _fin_automatique(dossiers, time_machine)
    dossiers.aller(dernier_jour + datetime.timedelta(days=1), heure=18)
    with pytest.raises(ValidationError) as erreur:
        dossiers.entretien(p, dernier_jour + datetime.timedelta(days=1), heure=9)
    assert "au plus tard le" in str(erreur.value)
    assert Prestation.objects.get(pk=p.pk).etat == Etat.INTERROMPUE


def test_mov10_passe_le_delai_de_grace_la_fin_automatique_reste(dossiers, time_machine):
    p, dernier_jour = _fin_automatique(dossiers, time_machine)
    grace = p.regle.ecart_entretiens.delai_de_grace_jours
    dossiers.aller(p.terminee_le + datetime.timedelta(days=grace + 1), heure=9)
    with pytest.raises(ActionRefusee):
        entretiens.enregistrer_entretien(
            dossiers.referent,
            p,
            debut=timezone.make_aware(datetime.datetime.combine(dernier_jour, datetime.time(10))),
            duree_minutes=45,
            modalite="presentiel",
            presence="present",
        )
    assert Prestation.objects.get(pk=p.pk).etat == Etat.INTERROMPUE
