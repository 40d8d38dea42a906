"""``commun.ecriture``: many rows written in one statement, exactly as ``save()`` would."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from commun.ecriture import insert_rows, update_rows
from comptes.models import Canal, Notification
from prestations.models import Echeance, EtatEcheance
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PIEGES = ['guillemet " et barre \\ oblique', "apostrophe l'échéance", "accolades {a,b}", "virgule, point ; NULL"]


def test_insert_rows_ecrit_chaque_ligne_ses_valeurs_par_defaut_et_ignore_les_doublons():
    user = UserFactory()
    maintenant = timezone.now()
    colonnes = {
        "destinataire_id": [user.pk] * len(PIEGES),
        "canal": [Canal.EMAIL] * len(PIEGES),
        "cle": [f"cle:{n}" for n in range(len(PIEGES))],
        "sujet": PIEGES,
        "corps": PIEGES,
        "due_le": [maintenant] * len(PIEGES),
    }
    insert_rows(Notification, colonnes, ignore_conflicts=True)
    insert_rows(Notification, colonnes, ignore_conflicts=True)  # already there: skipped
    lignes = list(Notification.objects.order_by("cle"))
    assert [n.sujet for n in lignes] == PIEGES
    assert all(n.lien == "" and n.obligatoire and n.envoyee_le is None and n.cree_le for n in lignes)
    with pytest.raises(ValueError):
        insert_rows(Notification, {"destinataire_id": [user.pk], "cle": ["a", "b"]})
    with pytest.raises(ValueError):
        insert_rows(Notification, {"destinataire": [user.pk]})


def test_update_rows_reecrit_les_champs_demandes_et_les_tableaux_de_dates(monde, beneficiaire_de, time_machine):
    from comptes.acteurs import Acteur
    from prestations.commandes import services

    ldc = services.creer_lettre_de_commande(
        Acteur(monde.prescripteur.user, monde.prescripteur),
        beneficiaire=beneficiaire_de(),
        marche=monde.marche,
        date_debut=timezone.localdate(),
        accord_beneficiaire=True,
    )
    lignes = list(Echeance.objects.filter(prestation=ldc.prestation))
    assert lignes
    # Across the change to summer time (29 March 2026 in Paris), with NULLs.
    alertes = [
        datetime.datetime(2026, 3, 28, 0, 0, tzinfo=PARIS),
        datetime.datetime(2026, 3, 30, 0, 0, tzinfo=PARIS),
    ]
    for n, ligne in enumerate(lignes):
        ligne.libelle = PIEGES[n % len(PIEGES)]
        ligne.alertes = alertes if n % 2 == 0 else []
        ligne.avertie_le = None
        ligne.alertes_envoyees = 2
    update_rows(Echeance, lignes, ["libelle", "alertes", "avertie_le", "alertes_envoyees"])
    relues = {e.pk: e for e in Echeance.objects.filter(prestation=ldc.prestation)}
    for n, ligne in enumerate(lignes):
        relue = relues[ligne.pk]
        assert relue.libelle == PIEGES[n % len(PIEGES)]
        assert relue.alertes == (alertes if n % 2 == 0 else [])
        assert (relue.avertie_le, relue.alertes_envoyees) == (None, 2)
        assert relue.etat == EtatEcheance.A_VENIR  # a field not asked for is left as it was
