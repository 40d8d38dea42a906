"""The operator's command (issue 5): ``manage.py echeances --date [--dry-run]`` replays the
sweep of a given day, says what it would do without writing, and refuses a bad date.

Every test builds its cases through the services (the ``dossiers`` fixture), moves the
clock with time-machine and sweeps at a given moment, as the beat schedule or
``manage.py echeances --date`` would.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from prestations.models import Etat, Prestation, Sortie
from prestations.models.echeances import Balayage, Echeance, EtatEcheance, TypeEcheance
from tests.prestations.dossiers import FIN_MOV, PARIS, jour, recharger
from tests.support.echeances import cas_dus_au_jour_16, compter, ligne

pytestmark = pytest.mark.django_db


# --- The operator's command ------------------------------------------------------------------


def _etat_des_lieux():
    return {
        "echeances": sorted(Echeance.objects.values_list("pk", "etat", "alertes_envoyees", "prochaine_action_le")),
        "prestations": sorted(Prestation.objects.values_list("pk", "etat")),
        "balayages": Balayage.objects.count(),
        **compter(),
    }


def test_commande_echeances_dry_run_dit_ce_qu_elle_ferait_sans_rien_ecrire(dossiers, time_machine):
    sans_contrat, sans_entretien, _ = cas_dus_au_jour_16(dossiers)
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
    p = dossiers.en_cours(copie_envoyee=True)
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
    cas = [dossiers.en_cours(dossier=p, copie_envoyee=True) for p in cas]
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
