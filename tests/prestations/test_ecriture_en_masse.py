"""Writes of many rows in one statement (``config.ecriture_en_masse``), used by the
deadline sweep at midnight: what they write must be exactly what ``save()`` would."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptes.models import Canal, Notification
from config.ecriture_en_masse import inserer, inserer_colonnes, mettre_a_jour
from prestations.models.echeances import Echeance, EtatEcheance, TypeEcheance
from tests.factories import UserFactory
from tests.prestations.test_workflow import Dossiers

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def test_inserer_ignore_les_doublons_et_garde_les_valeurs_par_defaut():
    user = UserFactory()
    avis = [
        Notification(
            destinataire=user, canal=canal, cle=cle, sujet=f"Sujet « {cle} »", corps='Corps "entre guillemets"'
        )
        for cle in ("a", "b")
        for canal in (Canal.IN_APP, Canal.EMAIL)
    ]
    with CaptureQueriesContext(connection) as requetes:
        inserer(Notification, avis, ignorer_conflits=True)
    assert len(requetes) == 1
    inserer(Notification, avis[:2], ignorer_conflits=True)  # already there: skipped
    lignes = Notification.objects.filter(destinataire=user).order_by("cle", "canal")
    assert [(n.cle, n.canal) for n in lignes] == [("a", "email"), ("a", "in_app"), ("b", "email"), ("b", "in_app")]
    premiere = lignes[0]
    assert (premiere.sujet, premiere.corps) == ("Sujet « a »", 'Corps "entre guillemets"')
    assert (premiere.tentatives, premiere.envoyee_le, premiere.erreur, premiere.abandonnee) == (0, None, "", False)
    assert premiere.cree_le is not None


def test_mettre_a_jour_reecrit_les_champs_demandes_et_les_tableaux_de_dates(monde, beneficiaire_de, time_machine):
    prestation = Dossiers(monde, beneficiaire_de, time_machine).nouveau()
    lignes = list(Echeance.objects.filter(prestation=prestation))
    assert lignes
    # Both sides of the autumn daylight-saving change, and a label the SQL must not mangle.
    alertes = [
        datetime.datetime(2026, 10, 24, 0, 0, tzinfo=PARIS),
        datetime.datetime(2026, 10, 26, 0, 0, tzinfo=PARIS),
    ]
    for ligne in lignes:
        ligne.alertes, ligne.libelle = alertes, 'À faire « vite », dit-il : "maintenant" \\ ok'
        ligne.etat, ligne.alertes_envoyees = EtatEcheance.AVERTIE, 1
    with CaptureQueriesContext(connection) as requetes:
        mettre_a_jour(Echeance, lignes, ["etat", "alertes_envoyees"])
    assert len(requetes) == 1
    relue = Echeance.objects.get(pk=lignes[0].pk)
    assert (relue.etat, relue.alertes_envoyees) == (EtatEcheance.AVERTIE, 1)
    assert relue.alertes != alertes  # not asked for: left as it was
    assert relue.modifie_le >= lignes[0].cree_le  # auto_now is always written

    mettre_a_jour(Echeance, lignes)  # every field
    relue = Echeance.objects.get(pk=lignes[0].pk)
    assert relue.alertes == alertes
    assert relue.libelle == 'À faire « vite », dit-il : "maintenant" \\ ok'
    assert relue.type == TypeEcheance.CONTRACTUALISATION


def test_mettre_a_jour_colonnes_communes_et_colonnes_propres_a_chaque_ligne(monde, beneficiaire_de, time_machine):
    """A column with the same value on every row travels once, the others as arrays: each
    row still gets its own values, and the shared ones."""
    dossiers = Dossiers(monde, beneficiaire_de, time_machine)
    lignes = [
        Echeance.objects.get(prestation=dossiers.nouveau(), type=TypeEcheance.CONTRACTUALISATION) for _ in range(3)
    ]
    avertie = datetime.datetime(2026, 10, 25, 0, 0, tzinfo=PARIS)
    for numero, ligne in enumerate(lignes, start=1):
        ligne.etat, ligne.avertie_le, ligne.echue_le = EtatEcheance.AVERTIE, avertie, None  # shared
        ligne.alertes_envoyees, ligne.libelle = numero, f"Ligne n° {numero}"  # each its own
    mettre_a_jour(Echeance, lignes, ["etat", "avertie_le", "echue_le", "alertes_envoyees", "libelle"])
    relues = Echeance.objects.filter(pk__in=[e.pk for e in lignes]).order_by("alertes_envoyees")
    assert [(e.pk, e.alertes_envoyees, e.libelle) for e in relues] == [
        (e.pk, n, f"Ligne n° {n}") for n, e in enumerate(lignes, start=1)
    ]
    assert {(e.etat, e.avertie_le, e.echue_le) for e in relues} == {(EtatEcheance.AVERTIE, avertie, None)}
    assert len({e.modifie_le for e in relues}) == 1  # one time for the statement, as the database's now()

    for ligne in lignes:  # nothing differs but the key
        ligne.libelle = "Même libellé"
    mettre_a_jour(Echeance, lignes, ["libelle"])
    assert set(Echeance.objects.filter(pk__in=[e.pk for e in lignes]).values_list("libelle", flat=True)) == {
        "Même libellé"
    }


#: Texts an array literal must carry untouched: quotes, backslashes, the literal's own
#: punctuation, the word NULL, blanks, the empty string.
TEXTES_PIEGES = ['Dit "oui"', "C:\\dossier\\", "{a,b}", "NULL", "null", " espaces ", "", "«\u00a0»\tfin"]


def test_inserer_colonnes_ecrit_chaque_ligne_et_les_valeurs_par_defaut(time_machine):
    """The outbox's rows written column by column (no instance per row): each row gets its
    values, texts exactly as given, the other fields their defaults."""
    time_machine.move_to(datetime.datetime(2026, 3, 10, 0, 5, tzinfo=PARIS), tick=False)
    user, autre = UserFactory(), UserFactory()
    due = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)  # the night the clocks go forward
    apres = due.astimezone(datetime.UTC) + datetime.timedelta(hours=1)  # 03:30, Paris summer time
    n = len(TEXTES_PIEGES)
    with CaptureQueriesContext(connection) as requetes:
        inserer_colonnes(
            Notification,
            {
                "destinataire_id": [user.pk, autre.pk] * n,
                "canal": [Canal.EMAIL] * 2 * n,
                "cle": [f"piege:{i}" for i in range(n) for _ in (user, autre)],
                "sujet": [t for t in TEXTES_PIEGES for _ in (user, autre)],
                "corps": [t for t in TEXTES_PIEGES for _ in (user, autre)],
                "organisation_id": [None] * 2 * n,
                "obligatoire": [True, False] * n,
                "due_le": [due, apres] * n,
            },
            ignorer_conflits=True,
        )
    assert len(requetes) == 1
    lignes = Notification.objects.order_by("pk")
    assert [(x.destinataire_id, x.sujet, x.corps) for x in lignes] == [
        (u.pk, t, t) for t in TEXTES_PIEGES for u in (user, autre)
    ]
    assert {(x.obligatoire, x.due_le) for x in lignes} == {(True, due), (False, apres)}
    assert timezone.localtime(lignes[1].due_le).hour == 3
    assert {(x.tentatives, x.erreur, x.abandonnee, x.digest, x.lien, x.envoyee_le) for x in lignes} == {
        (0, "", False, False, "", None)
    }
    assert {x.cree_le for x in lignes} == {timezone.now()}

    # A row already there for its recipient, channel and key is skipped, the rest written.
    inserer_colonnes(
        Notification,
        {"destinataire_id": [user.pk, user.pk], "canal": [Canal.EMAIL] * 2, "cle": ["piege:0", "nouvelle"]},
        ignorer_conflits=True,
    )
    assert Notification.objects.filter(destinataire=user).count() == n + 1
    with pytest.raises(ValueError, match="longueurs"):
        inserer_colonnes(Notification, {"destinataire_id": [user.pk], "cle": ["a", "b"]})
    with pytest.raises(ValueError, match="inconnus"):
        inserer_colonnes(Notification, {"destinataire": [user.pk]})


def test_mettre_a_jour_textes_pieges_et_nuls_dans_un_tableau(monde, beneficiaire_de, time_machine):
    dossiers = Dossiers(monde, beneficiaire_de, time_machine)
    lignes = [
        Echeance.objects.get(prestation=dossiers.nouveau(), type=TypeEcheance.CONTRACTUALISATION) for _ in TEXTES_PIEGES
    ]
    for ligne, texte in zip(lignes, TEXTES_PIEGES, strict=True):
        ligne.libelle = texte
        ligne.avertie_le = None if texte else datetime.datetime(2026, 10, 25, 2, 30, tzinfo=datetime.UTC)
    mettre_a_jour(Echeance, lignes, ["libelle", "avertie_le"])
    relues = {e.pk: e for e in Echeance.objects.filter(pk__in=[e.pk for e in lignes])}
    assert [(relues[e.pk].libelle, relues[e.pk].avertie_le) for e in lignes] == [
        (e.libelle, e.avertie_le) for e in lignes
    ]
