"""Entretiens (EMA-01), the computed gap and weekly entretiens (MOV-10, MOV-11) and the
phases of each dispositif (BCA-02, BAM-02..04, CEP-01, CEP-02), at their boundaries.

Every test goes through ``prestations.suivi`` (the only path for a change of state),
builds its cases with the ``dossiers`` fixture and moves the clock with time-machine.
A refused action is checked to change nothing (``refuse``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prestations import faits
from prestations.models import (
    ActionParcours,
    Entretien,
    Etat,
    Modalite,
    MotifSuspension,
    NatureAction,
    Presence,
    Prestation,
    Sortie,
    StatutAction,
    TypeEntretien,
    TypeEvenement,
)
from prestations.sorties import TypeSortie
from prestations.suivi import entretiens, fins, parcours
from tests.prestations.dossiers import FIN_MOV, faits_de, jour, moment, recharger
from tests.support.constats import journal, notifications_de, refuse

pytestmark = pytest.mark.django_db


# --- Entretiens: EMA-01, dates -------------------------------------------------------


def test_ema01_chaque_presence_est_enregistree(dossiers):
    p = dossiers.en_cours()
    presences = [Presence.PRESENT, Presence.ABSENT_EXCUSE, Presence.ABSENT]
    for n, presence in enumerate(presences):
        dossiers.entretien(p, jour(3 + n), presence=presence, modalite=Modalite.DISTANCE)
    enregistres = p.entretiens.exclude(phase="contractualisation").order_by("debut")
    assert [e.presence for e in enregistres] == presences
    messages = [e.message for e in journal(p, TypeEvenement.ENTRETIEN)]
    assert [m.rsplit("— ", 1)[1] for m in messages] == ["présent.", "absent excusé.", "absent."]


def test_ema01_entretien_absent_ne_compte_pas_pour_l_ecart_mov10(dossiers):
    p = dossiers.en_cours()
    dossiers.entretien(p, jour(8))
    dossiers.entretien(p, jour(15), presence=Presence.ABSENT)
    dossiers.entretien(p, jour(16), presence=Presence.ABSENT_EXCUSE)
    assert faits.ecart_net(recharger_faits(p), jour(22)) == 14
    assert faits.ecart_net(recharger_faits(p), jour(23)) == 15


def recharger_faits(prestation):
    return faits.charger(Prestation.objects.select_related("lettre_de_commande")).get(pk=prestation.pk)


def test_entretien_dans_le_futur_refuse(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="debut"):
        entretiens.enregistrer_entretien(
            dossiers.referent,
            p,
            debut=timezone.now() + datetime.timedelta(minutes=30),
            duree_minutes=45,
            modalite=Modalite.PRESENTIEL,
            presence=Presence.PRESENT,
        )


def test_entretien_avant_le_debut_refuse(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="debut"):
        dossiers.entretien(p, jour(-1))


def test_entretien_saisi_apres_coup_accepte(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(jour(20))
    entretien = dossiers.entretien(p, jour(9), compte_rendu="Saisi avec retard.")
    assert entretien.jour == jour(9) and entretien.phase == "phase_1"


def test_mov07_entretien_apres_la_date_de_fin_refuse(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV + datetime.timedelta(days=2))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.entretien(p, FIN_MOV + datetime.timedelta(days=1))


def test_entretien_dans_une_phase_pas_encore_commencee_refuse(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="phase"):
        dossiers.entretien(p, jour(3), phase="phase_2")
    with refuse(p, ValidationError, champ="phase"):
        dossiers.entretien(p, jour(3), phase="inexistante")


def test_entretien_avant_la_contractualisation_refuse(dossiers):
    p = dossiers.nouveau()
    dossiers.aller(jour(2))
    with refuse(p) as info:
        dossiers.entretien(p, jour(1))
    assert "contractualisation" in info.value.message


def test_mov09_entretien_pendant_une_suspension_refuse(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(8), jour(14))
    dossiers.aller(jour(15))
    with refuse(p, ValidationError, champ="debut") as info:
        dossiers.entretien(p, jour(10))
    assert "suspendue" in info.value.message_dict["debut"][0]
    assert dossiers.entretien(p, jour(15)).jour == jour(15)  # the prestation resumes (MOV-09)


def test_entretien_modele_phase_inconnue_est_une_erreur_de_champ(dossiers):
    """Entretien.clean() on an unknown phase: a field error, not a KeyError (500)."""
    p = dossiers.en_cours()
    entretien = Entretien(
        prestation=p, debut=moment(jour(1)), duree_minutes=30, phase="inconnue", auteur=dossiers.referent.user
    )
    with pytest.raises(ValidationError) as info:
        entretien.full_clean()
    assert "phase" in info.value.message_dict


# --- Computed facts: MOV-10, MOV-11 ------------------------------------------------------


def _avec_suspension_et_periode(dossiers):
    """Last entretien on day 1 (the contractualisation), 7 days of illness, 7 days in a company."""
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(3), jour(9))
    dossiers.periode(p, jour(10), jour(16))
    return p


def test_mov10_ecart_net_de_14_jours_hors_suspension_et_periode(dossiers):
    p = _avec_suspension_et_periode(dossiers)
    le = jour(29)  # 28 calendar days after the contractualisation, 14 of them neutralised
    f = faits_de(p, le)
    assert f.ecart_net == 14 and f.ecart_max == 14
    assert f.jours_depuis_dernier_entretien == 14
    assert f.date_limite_ecart == jour(29)
    assert not recharger(p).regle.ecart_entretiens.depasse(f.ecart_net)


def test_mov10_ecart_net_de_15_jours_depasse(dossiers):
    p = _avec_suspension_et_periode(dossiers)
    f = faits_de(p, jour(30))
    assert f.ecart_net == 15
    assert recharger(p).regle.ecart_entretiens.depasse(f.ecart_net)


def test_mov10_un_nouvel_entretien_remet_l_ecart_a_zero_et_l_echeance_suit(dossiers):
    p = _avec_suspension_et_periode(dossiers)
    dossiers.entretien(p, jour(20))
    f = faits_de(p, jour(20))
    assert f.ecart_net == 0 and f.date_limite_ecart == jour(34)
    assert recharger(p).prochaine_echeance == jour(34)
    assert "MOV-10" in recharger(p).prochaine_echeance_libelle


def test_mov11_semaines_sans_entretien_hebdomadaire_listees(dossiers):
    """Contract signed on Tuesday 24/11: the weeks checked start on Monday 30/11."""
    p = dossiers.en_cours()
    dossiers.entretien(p, jour(8), duree=30)  # week of 30/11: valid (30 min, face to face)
    dossiers.entretien(p, jour(15), duree=29)  # week of 07/12: 29 minutes
    dossiers.entretien(p, jour(22), modalite=Modalite.TELEPHONE)  # week of 14/12: by phone
    dossiers.entretien(p, jour(23), modalite=Modalite.DISTANCE)  # same week: by video
    dossiers.entretien(p, jour(29), type=TypeEntretien.COLLECTIF)  # week of 21/12: group
    dossiers.entretien(p, jour(30), presence=Presence.ABSENT)  # same week: absent
    dossiers.entretien(p, jour(36))  # week of 28/12: valid
    assert faits_de(p, jour(41)).semaines_sans_entretien == [jour(14), jour(21), jour(28)]


def test_mov11_semaines_avec_suspension_ou_periode_non_verifiees(dossiers):
    p = dossiers.en_cours()
    dossiers.entretien(p, jour(8))
    dossiers.suspension(p, MotifSuspension.CONGES, jour(16), jour(17))  # Tuesday-Wednesday of week 07/12
    dossiers.periode(p, jour(21), jour(27))  # week of 14/12
    assert faits_de(p, jour(34)).semaines_sans_entretien == [jour(28)]


# --- Phases: BCA-02, BAM-02, BAM-03, CEP-01 ----------------------------------------------


def test_bca02_passer_phase_exige_un_entretien_individuel_tenu_dans_la_phase(dossiers):
    p = dossiers.en_cours("BCA")
    assert p.phase == "investigation"  # the contractualisation phase has its entretien
    with refuse(p, regle="BCA-02") as info:
        entretiens.passer_phase(dossiers.referent, p)
    assert "au moins 1 entretien individuel" in info.value.message
    dossiers.entretien(p, jour(2), type=TypeEntretien.COLLECTIF)
    dossiers.entretien(p, jour(3), presence=Presence.ABSENT)
    with refuse(p, regle="BCA-02"):
        entretiens.passer_phase(dossiers.referent, p)
    dossiers.entretien(p, jour(4))
    p = entretiens.passer_phase(dossiers.referent, p)
    assert p.phase == "confrontation"
    [evenement] = journal(p, TypeEvenement.PHASE)
    assert evenement.message == "Passage de « Investigation du potentiel » à « Confrontation au marché du travail »."


def test_bca02_les_phases_se_suivent_dans_l_ordre(dossiers):
    p = dossiers.en_cours("BCA")
    dossiers.entretien(p, jour(2))
    with refuse(p) as info:
        entretiens.passer_phase(dossiers.referent, p, cible="formalisation")
    assert "la prochaine est « Confrontation au marché du travail »" in info.value.message
    with refuse(p):
        entretiens.passer_phase(dossiers.referent, p, cible="contractualisation")
    assert entretiens.passer_phase(dossiers.referent, p, cible="confrontation").phase == "confrontation"


def test_bca02_derniere_phase_se_termine_par_la_sortie(dossiers):
    p = dossiers.en_cours("BCA")
    for n, _ in enumerate(("investigation", "confrontation")):
        dossiers.entretien(p, jour(2 + n))
        p = entretiens.passer_phase(dossiers.referent, p)
    assert p.phase == "formalisation"
    dossiers.entretien(p, jour(5))
    with refuse(p) as info:
        entretiens.passer_phase(dossiers.referent, p)
    assert "dernière phase" in info.value.message


def test_bam02_fin_anticipee_apres_le_bilan_initial(dossiers, monde):
    p = dossiers.en_cours("BAM")
    assert p.phase == "bilan_initial"
    with refuse(p, ValidationError, champ="motif"):
        fins.terminer_apres_phase(dossiers.referent, p, "sans_raison")
    p = fins.terminer_apres_phase(dossiers.referent, p, "absence_frein_mobilite")
    assert (p.etat, p.motif_fin, p.terminee_le) == (Etat.TERMINEE, "absence_frein_mobilite", jour(1))
    # SOR-04: the end is a sortie of its own kind, never positive, reportable apart.
    sortie = Sortie.objects.get(prestation=p)
    assert (sortie.type, sortie.positive, sortie.date_sortie, sortie.regle) == (
        TypeSortie.FIN_ANTICIPEE,
        False,
        jour(1),
        "BAM-02",
    )
    assert "ne révèle pas de frein à la mobilité" in sortie.motif
    [evenement] = journal(p, TypeEvenement.FIN_ANTICIPEE)
    assert "ne révèle pas de frein à la mobilité (BAM-02)" in evenement.message
    assert notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:fin").exists()


def test_bam02_fin_anticipee_refusee_apres_le_bilan_initial_et_hors_bam(dossiers):
    p, mov = dossiers.nouveau("BAM"), dossiers.nouveau("MOV")
    p = entretiens.passer_phase(dossiers.referent, dossiers.contractualise(p))
    assert p.phase == "parcours_mobilite"
    with refuse(p, regle="BAM-02"):
        fins.terminer_apres_phase(dossiers.referent, p, "absence_frein_mobilite")
    mov = dossiers.contractualise(mov)
    with refuse(mov, regle="BAM-02"):
        fins.terminer_apres_phase(dossiers.referent, mov, "absence_frein_mobilite")


def test_bam03_parcours_mobilite_deux_entretiens_avant_le_bilan_final(dossiers):
    p = entretiens.passer_phase(dossiers.referent, dossiers.en_cours("BAM"))
    dossiers.entretien(p, jour(3))
    with refuse(p, regle="BAM-03") as info:
        entretiens.passer_phase(dossiers.referent, p)
    assert "au moins 2 entretiens individuels" in info.value.message
    dossiers.entretien(p, jour(5))
    assert entretiens.passer_phase(dossiers.referent, p).phase == "bilan_final"


def test_bam03_micro_collectif_refuse_un_septieme_participant(dossiers):
    cas = [dossiers.nouveau("BAM") for _ in range(7)]
    cas = [entretiens.passer_phase(dossiers.referent, dossiers.contractualise(p, jour(1))) for p in cas]
    dossiers.aller(jour(5))
    session = entretiens.creer_session(
        dossiers.referent,
        titre="Atelier lecture de carte",
        debut=moment(jour(5), 9),
        duree_minutes=120,
        modalite="presentiel",
    )
    for p in cas[:6]:
        entretien = entretiens.ajouter_participant(dossiers.referent, session, p, presence=Presence.PRESENT)
        assert (entretien.type, entretien.session, entretien.phase) == ("collectif", session, "parcours_mobilite")
    with refuse(cas[6], regle="BAM-03") as info:
        entretiens.ajouter_participant(dossiers.referent, session, cas[6], presence=Presence.PRESENT)
    assert "6 au plus" in info.value.message
    assert session.participations.count() == 6


def test_bam03_session_avec_taille_maximale_et_participant_en_double(dossiers):
    a, b = (dossiers.contractualise(p) for p in [dossiers.nouveau("BAM"), dossiers.nouveau("BAM")])
    dossiers.aller(jour(4))
    session = entretiens.creer_session(
        dossiers.referent,
        titre="Atelier",
        debut=moment(jour(4), 9),
        duree_minutes=60,
        modalite="presentiel",
        taille_max=1,
    )
    entretiens.ajouter_participant(dossiers.referent, session, a, presence=Presence.ABSENT_EXCUSE)
    with refuse(a, ValidationError, champ="prestation"):
        entretiens.ajouter_participant(dossiers.referent, session, a, presence=Presence.PRESENT)
    with refuse(b, regle="BAM-03"):
        entretiens.ajouter_participant(dossiers.referent, session, b, presence=Presence.PRESENT)


def test_bam03_carnet_de_suivi_service_payant_avec_cout_et_aides(dossiers):
    p = entretiens.passer_phase(dossiers.referent, dossiers.en_cours("BAM"))
    with refuse(p, ValidationError, champ="cout") as info:
        parcours.ajouter_action(
            dossiers.referent,
            p,
            nature=NatureAction.SERVICE_PAYANT,
            libelle="Location de scooter",
            aides_mobilisables="Aide à la mobilité France Travail",
        )
    assert "BAM-03" in info.value.message_dict["cout"][0]
    with refuse(p, ValidationError, champ="aides_mobilisables"):
        parcours.ajouter_action(
            dossiers.referent, p, nature=NatureAction.SERVICE_PAYANT, libelle="Location de scooter", cout="120.00"
        )
    action = parcours.ajouter_action(
        dossiers.referent,
        p,
        nature=NatureAction.SERVICE_PAYANT,
        libelle="Location de scooter",
        intervenant="Mobilité 03",
        cout="120.00",
        aides_mobilisables="Aide à la mobilité France Travail",
        date_debut=jour(5),
        date_fin=jour(35),
    )
    assert str(action.cout) == "120.00"
    [evenement] = journal(p, TypeEvenement.ACTION_PARCOURS)
    assert "(120.00 €)" in evenement.message
    with refuse(p, ValidationError, champ="cout"):
        parcours.modifier_action(dossiers.referent, action, cout=None)
    action = parcours.modifier_action(dossiers.referent, action, statut=StatutAction.REALISEE)
    assert ActionParcours.objects.get(pk=action.pk).statut == StatutAction.REALISEE


def test_bam04_bilan_final_est_la_derniere_phase(dossiers):
    p = entretiens.passer_phase(dossiers.referent, dossiers.en_cours("BAM"))
    dossiers.entretien(p, jour(3))
    dossiers.entretien(p, jour(4))
    p = entretiens.passer_phase(dossiers.referent, p)
    dossiers.entretien(p, jour(6), compte_rendu="Entretien de bilan final : rapport de positionnement final.")
    assert [ph.complete for ph in faits_de(p, jour(6)).phases] == [True, True, True]
    with refuse(p):
        entretiens.passer_phase(dossiers.referent, p)


def test_cep01_niveau_2_directement_puis_retour_au_niveau_1(dossiers):
    p = dossiers.en_cours("CEP")
    assert p.phase == "niveau_1" and p.date_fin is None
    p = entretiens.passer_phase(dossiers.referent, p, cible="niveau_2")
    assert p.phase == "niveau_2"
    dossiers.entretien(p, jour(3))
    p = entretiens.passer_phase(dossiers.referent, p, cible="niveau_1")
    assert p.phase == "niveau_1"
    assert dossiers.entretien(p, jour(4), phase="niveau_2").phase == "niveau_2"  # a level already reached
    phases = {ph.cle: ph for ph in faits_de(p, jour(4)).phases}
    assert (phases["niveau_1"].entretiens, phases["niveau_2"].entretiens) == (1, 2)


def test_cep01_contractualisation_dans_une_phase_inconnue_refusee_au_champ(dossiers):
    p = dossiers.nouveau("CEP")
    with refuse(p, ValidationError, champ="phase"):
        dossiers.contractualise(p, jour(1), phase="niveau_3")
    assert dossiers.contractualise(p, jour(1), phase="niveau_2").phase == "niveau_2"


def test_cep01_cible_absente_identique_ou_inconnue_refusee(dossiers):
    p = dossiers.en_cours("CEP")
    for cible in (None, "niveau_1", "niveau_3"):
        with refuse(p, ValidationError, champ="cible"):
            entretiens.passer_phase(dossiers.referent, p, cible=cible)


def test_cep02_plan_d_action_enregistre(dossiers):
    p = entretiens.passer_phase(dossiers.referent, dossiers.en_cours("CEP"), cible="niveau_2")
    plan = [
        (NatureAction.ETAPE, "Valider le projet de reconversion"),
        (NatureAction.OBJECTIF_INTERMEDIAIRE, "Enquêtes métier auprès de trois professionnels"),
        (NatureAction.ACTION, "Immersion professionnelle"),
        (NatureAction.DISPOSITIF, "Projet de transition professionnelle"),
        (NatureAction.DEMARCHE_PERSONNELLE, "Salon de l'orientation"),
        (NatureAction.FINANCEMENT, "CPF et abondement de la région"),
    ]
    for n, (nature, libelle) in enumerate(plan):
        parcours.ajouter_action(
            dossiers.referent, p, nature=nature, libelle=libelle, date_debut=jour(10 * n + 5), date_fin=jour(10 * n + 9)
        )
    assert list(p.actions.values_list("nature", "libelle")) == plan
    assert len(journal(p, TypeEvenement.ACTION_PARCOURS)) == 6
    with refuse(p, ValidationError, champ="date_fin"):
        parcours.ajouter_action(
            dossiers.referent, p, nature=NatureAction.ETAPE, libelle="x", date_debut=jour(9), date_fin=jour(8)
        )


def test_actions_du_parcours_refusees_avant_la_contractualisation(dossiers):
    p = dossiers.nouveau("CEP")
    with refuse(p):
        parcours.ajouter_action(dossiers.referent, p, nature=NatureAction.ETAPE, libelle="Étape")
