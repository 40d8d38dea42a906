"""Who may call the workflow services (scope, MOV-04) and what two concurrent calls do."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from commun.exceptions import ActionRefusee
from comptes.models import Role
from prestations.models import (
    Entretien,
    Etat,
    Modalite,
    MotifSuspension,
    NatureAction,
    Presence,
    Prestation,
    Sortie,
    Suspension,
    TypeEvenement,
)
from prestations.sorties import TypeContrat, TypeSortie
from prestations.suivi import contractualisation, entretiens, fins, parcours, suspensions
from tests.prestations.dossiers import SIRET, acteur, jour, moment, recharger
from tests.support.constats import journal, refuse

# --- Permissions -----------------------------------------------------------------------

#: Every action of the référent on a case, called as ``action(acteur, prestation)`` on day 10
#: of a MOV case signed on day 1.
ACTIONS = {
    "contractualiser": lambda a, p: contractualisation.contractualiser(
        a, p, debut=moment(jour(9)), duree_minutes=60, modalite=Modalite.PRESENTIEL, signe=True
    ),
    "enregistrer_entretien": lambda a, p: entretiens.enregistrer_entretien(
        a, p, debut=moment(jour(9)), duree_minutes=45, modalite=Modalite.PRESENTIEL, presence=Presence.PRESENT
    ),
    "passer_phase": lambda a, p: entretiens.passer_phase(a, p),
    "terminer_apres_phase": lambda a, p: fins.terminer_apres_phase(a, p, "absence_frein_mobilite"),
    "declarer_suspension": lambda a, p: suspensions.declarer_suspension(
        a, p, motif=MotifSuspension.MALADIE, debut=jour(12), fin=jour(15)
    ),
    "mettre_fin_suspension": lambda a, p: suspensions.mettre_fin_suspension(a, p.suspensions.get(), jour(22)),
    "enregistrer_periode_entreprise": lambda a, p: suspensions.enregistrer_periode_entreprise(
        a, p, entreprise="Garage Dupont", siret=SIRET, debut=jour(30), fin=jour(36), tuteur="M. Dupont"
    ),
    "enregistrer_sortie": lambda a, p: fins.enregistrer_sortie(
        a, p, type=TypeSortie.EMPLOI, date_sortie=jour(10), type_contrat=TypeContrat.CDI, temps_plein=True
    ),
    "interrompre": lambda a, p: fins.interrompre(a, p, type=TypeSortie.ABANDON, motif="Injoignable."),
    "clore_suivi": lambda a, p: fins.clore_suivi(a, p),
    "ajouter_action": lambda a, p: parcours.ajouter_action(a, p, nature=NatureAction.ETAPE, libelle="Étape"),
    "modifier_action": lambda a, p: parcours.modifier_action(a, p.actions.get(), libelle="Autre"),
}


@pytest.fixture
def cas_de_x(dossiers):
    """A MOV case of prestataire X with one suspension and one action, on day 10."""
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(20), jour(25))
    parcours.ajouter_action(dossiers.referent, p, nature=NatureAction.ETAPE, libelle="Étape")
    dossiers.aller(jour(10))
    return recharger(p)


@pytest.mark.parametrize("action", ACTIONS)
def test_seuls_le_referent_du_cas_et_le_responsable_de_x_agissent(cas_de_x, monde, membre, action):
    """A référent or responsable of Y, another référent of X (MOV-04: one référent per
    case), the prescripteur and the financeur are refused, and nothing changes."""
    autre_referent_de_x = membre(Role.REFERENT, organisation=monde.marche.prestataire)
    intrus = [monde.referent_y, monde.responsable_y, autre_referent_de_x, monde.prescripteur, monde.financeur]
    for membership in intrus:
        with refuse(cas_de_x, PermissionDenied):
            ACTIONS[action](acteur(membership), cas_de_x)


def test_mov04_un_autre_referent_de_x_est_refuse_avec_un_message_clair(cas_de_x, monde, membre):
    autre = membre(Role.REFERENT, organisation=monde.marche.prestataire)
    with refuse(cas_de_x, PermissionDenied) as info:
        ACTIONS["enregistrer_entretien"](acteur(autre), cas_de_x)
    assert "pas le référent de cette prestation" in str(info.value)


def test_le_referent_de_y_est_refuse_sur_le_cas_de_x(cas_de_x, monde):
    with refuse(cas_de_x, PermissionDenied) as info:
        ACTIONS["enregistrer_entretien"](acteur(monde.referent_y), cas_de_x)
    assert "Seul le prestataire de la prestation" in str(info.value)


def test_le_responsable_de_x_agit_sur_le_cas(dossiers, monde):
    p = dossiers.nouveau()
    dossiers.aller(jour(2))
    responsable = acteur(monde.responsable)
    p = contractualisation.contractualiser(
        responsable, p, debut=moment(jour(2)), duree_minutes=60, modalite=Modalite.PRESENTIEL, signe=True
    )
    entretien = entretiens.enregistrer_entretien(
        responsable, p, debut=moment(jour(2), 15), duree_minutes=30, modalite="presentiel", presence="present"
    )
    p = entretiens.passer_phase(responsable, p)
    suspension = suspensions.declarer_suspension(
        responsable, p, motif=MotifSuspension.CONGES, debut=jour(5), fin=jour(9)
    )
    assert (p.phase, entretien.auteur, suspension.auteur) == ("phase_2", monde.responsable.user, monde.responsable.user)
    assert {e.auteur for e in journal(p, TypeEvenement.ENTRETIEN)} == {monde.responsable.user}


def test_sessions_collectives_reservees_au_prestataire(dossiers, monde):
    p = dossiers.en_cours("BAM")
    dossiers.aller(jour(3))
    with pytest.raises(PermissionDenied):
        entretiens.creer_session(
            acteur(monde.prescripteur), titre="Atelier", debut=moment(jour(3)), duree_minutes=60, modalite="presentiel"
        )
    session = entretiens.creer_session(
        dossiers.referent, titre="Atelier", debut=moment(jour(3)), duree_minutes=60, modalite="presentiel"
    )
    for intrus in (monde.referent_y, monde.responsable_y):
        with refuse(p, PermissionDenied):
            entretiens.ajouter_participant(acteur(intrus), session, p, presence=Presence.PRESENT)
    session_y = entretiens.creer_session(
        acteur(monde.referent_y), titre="Atelier Y", debut=moment(jour(3)), duree_minutes=60, modalite="presentiel"
    )
    with refuse(p, PermissionDenied):  # the référent of X cannot use Y's session either
        entretiens.ajouter_participant(dossiers.referent, session_y, p, presence=Presence.PRESENT)


# --- Concurrency -------------------------------------------------------------------------


def en_parallele(*appels):
    """Run the calls at the same moment, each in its own thread and database connection."""
    depart = threading.Barrier(len(appels))
    resultats: list[object] = [None] * len(appels)

    def courir(index, appel):
        try:
            depart.wait(timeout=10)
            resultats[index] = appel()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each call raised
            resultats[index] = exc
        finally:
            connection.close()

    fils = [threading.Thread(target=courir, args=(i, appel)) for i, appel in enumerate(appels)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=30)
    assert not any(f.is_alive() for f in fils), "a concurrent call is stuck"
    return resultats


def un_seul_gagnant(resultats):
    refus = [r for r in resultats if isinstance(r, ActionRefusee)]
    gagnants = [r for r in resultats if not isinstance(r, Exception)]
    assert len(gagnants) == 1 and len(refus) == len(resultats) - 1, resultats
    return gagnants[0], refus


@pytest.mark.django_db(transaction=True)
def test_deux_contractualisations_simultanees_une_seule_aboutit(dossiers):
    p = dossiers.nouveau()
    dossiers.aller(jour(1))

    def contractualiser():
        copie = Prestation.objects.get(pk=p.pk)
        return contractualisation.contractualiser(
            dossiers.referent, copie, debut=moment(jour(1)), duree_minutes=60, modalite="presentiel", signe=True
        )

    gagnant, [refus] = un_seul_gagnant(en_parallele(contractualiser, contractualiser))
    assert "rechargez" in refus.message
    p = recharger(p)
    assert (p.etat, p.phase) == (Etat.EN_COURS, "phase_1")
    assert len(journal(p, TypeEvenement.CONTRACTUALISATION)) == 1
    assert Entretien.objects.filter(prestation=p).count() == 1


@pytest.mark.django_db(transaction=True)
def test_deux_passages_de_phase_simultanes_un_seul_aboutit(dossiers):
    p = dossiers.en_cours("BCA")
    dossiers.entretien(p, jour(2))
    copies = [Prestation.objects.get(pk=p.pk) for _ in range(2)]

    resultats = en_parallele(*(lambda c=c: entretiens.passer_phase(dossiers.referent, c) for c in copies))
    gagnant, [refus] = un_seul_gagnant(resultats)
    assert gagnant.phase == "confrontation"
    assert recharger(p).phase == "confrontation"  # one step, not two
    assert len(journal(p, TypeEvenement.PHASE)) == 1


@pytest.mark.django_db(transaction=True)
def test_deux_niveaux_cep_choisis_en_meme_temps_un_seul_aboutit(dossiers):
    p = dossiers.en_cours("CEP")
    copies = [Prestation.objects.get(pk=p.pk) for _ in range(2)]
    resultats = en_parallele(
        *(lambda c=c: entretiens.passer_phase(dossiers.referent, c, cible="niveau_2") for c in copies)
    )
    un_seul_gagnant(resultats)
    assert len(journal(p, TypeEvenement.PHASE)) == 1


@pytest.mark.django_db(transaction=True)
def test_sortie_et_interruption_simultanees_une_seule_aboutit(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(jour(10))
    copies = [Prestation.objects.get(pk=p.pk) for _ in range(2)]
    resultats = en_parallele(
        lambda: fins.enregistrer_sortie(
            dossiers.referent,
            copies[0],
            type=TypeSortie.EMPLOI,
            date_sortie=jour(10),
            type_contrat=TypeContrat.CDI,
            temps_plein=True,
        ),
        lambda: fins.interrompre(dossiers.referent, copies[1], type=TypeSortie.ABANDON, motif="Injoignable."),
    )
    gagnant, _ = un_seul_gagnant(resultats)
    assert Sortie.objects.filter(prestation=p).count() == 1
    assert recharger(p).etat in (Etat.SUIVI_EMPLOI, Etat.INTERROMPUE)
    evenements = journal(p, TypeEvenement.SORTIE) + journal(p, TypeEvenement.INTERRUPTION)
    assert len(evenements) == 1


@pytest.mark.django_db(transaction=True)
def test_bam03_deux_inscriptions_simultanees_a_la_derniere_place(dossiers):
    a, b = dossiers.nouveau("BAM"), dossiers.nouveau("BAM")
    a, b = dossiers.contractualise(a), dossiers.contractualise(b)
    dossiers.aller(jour(3))
    session = entretiens.creer_session(
        dossiers.referent, titre="Atelier", debut=moment(jour(3)), duree_minutes=60, modalite="presentiel", taille_max=1
    )
    resultats = en_parallele(
        *(lambda p=p: entretiens.ajouter_participant(dossiers.referent, session, p, presence="present") for p in (a, b))
    )
    _, [refus] = un_seul_gagnant(resultats)
    assert refus.regle == "BAM-03"
    assert session.participations.count() == 1


@pytest.mark.django_db(transaction=True)
def test_deux_suspensions_qui_se_chevauchent_en_meme_temps_une_seule_aboutit(dossiers):
    p = dossiers.en_cours()
    copies = [Prestation.objects.get(pk=p.pk) for _ in range(2)]
    debuts = (jour(10), jour(12))
    resultats = en_parallele(
        *(
            lambda c=c, d=d: suspensions.declarer_suspension(
                dossiers.referent, c, motif=MotifSuspension.MALADIE, debut=d, fin=d + datetime.timedelta(days=5)
            )
            for c, d in zip(copies, debuts, strict=True)
        )
    )
    # The row lock serialises them: the second one sees the first and overlaps it.
    assert sorted(type(r).__name__ for r in resultats) == ["Suspension", "ValidationError"], resultats
    assert Suspension.objects.filter(prestation=p).count() == 1
