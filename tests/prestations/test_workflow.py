"""The workflow services (issue 4), rule by rule, at their boundaries.

Every test goes through ``prestations.suivi`` (the only path for a change of state)
and moves the clock with time-machine. A refused action is checked to change nothing
(``refuse``). The full journeys are in ``test_workflow_parcours.py``; concurrency and
permissions in ``test_workflow_acces.py``. ``Dossiers`` and the helpers below are
shared by those modules.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commun.exceptions import ActionRefusee
from comptes.acteurs import Acteur
from comptes.models import Canal, Notification, Role
from prestations import faits
from prestations.commandes import services
from prestations.dispositifs.calendrier import fin_de_periode_mois
from prestations.models import (
    ActionParcours,
    Entretien,
    Etat,
    Evenement,
    Modalite,
    MotifSuspension,
    NatureAction,
    PeriodeEnEntreprise,
    Presence,
    Prestation,
    Renouvellement,
    Sortie,
    StatutAction,
    Suspension,
    TypeEntretien,
    TypeEvenement,
)
from prestations.sorties import FormeEntreprise, NatureEntreprise, TypeContrat, TypeSortie
from prestations.suivi import contractualisation, entretiens, fins, parcours, renouvellement, suspensions
from tests.factories import siret_valide
from tests.prestations.conftest import MarcheFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
#: The ``monde`` fixture's today (a Monday); the LdC start date of most cases.
DEBUT = datetime.date(2026, 11, 23)
#: MOV-07: 180 calendar days, the last one included.
FIN_MOV = datetime.date(2027, 5, 21)
SIRET = siret_valide(4242)


def jour(n: int) -> datetime.date:
    """Day ``n`` counted from the start date (day 0)."""
    return DEBUT + datetime.timedelta(days=n)


def moment(date: datetime.date, heure: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(heure, minute), tzinfo=PARIS)


def acteur(membership) -> Acteur:
    return Acteur(membership.user, membership)


def recharger(prestation) -> Prestation:
    return Prestation.objects.select_related("lettre_de_commande").get(pk=prestation.pk)


def faits_de(prestation, le: datetime.date) -> faits.FaitsDossier:
    chargee = faits.charger(Prestation.objects.select_related("lettre_de_commande")).get(pk=prestation.pk)
    return faits.faits_dossier(chargee, le)


def photo(prestation) -> dict:
    """Everything a refused action must leave as it was."""
    p = recharger(prestation)
    return {
        "prestation": (
            p.etat,
            p.phase,
            p.date_fin,
            p.contractualisee_le,
            p.contrat_signe,
            p.date_reprise,
            p.terminee_le,
            p.motif_fin,
            p.nombre_renouvellements,
        ),
        "entretiens": sorted(p.entretiens.values_list("pk", "debut", "phase", "presence", "toujours_en_emploi")),
        "suspensions": sorted(p.suspensions.values_list("pk", "motif", "debut", "fin")),
        "periodes": sorted(p.periodes_entreprise.values_list("pk", "debut", "fin")),
        "sortie": list(Sortie.objects.filter(prestation=p).values_list("type", "positive")),
        "renouvellements": p.renouvellements.count(),
        "actions": sorted(p.actions.values_list("pk", "nature", "libelle", "statut", "cout")),
        "journal": Evenement.objects.filter(lettre_de_commande=p.lettre_de_commande_id).count(),
        "notifications": Notification.objects.count(),
    }


@contextmanager
def refuse(prestation, exception=ActionRefusee, *, regle: str | None = None, champ: str | None = None):
    """The action inside is refused with ``exception`` and changes nothing."""
    avant = photo(prestation)
    with pytest.raises(exception) as info:
        yield info
    assert photo(prestation) == avant
    if regle is not None:
        assert regle in info.value.regle, info.value.message
    if champ is not None:
        assert champ in info.value.message_dict, info.value.message_dict


def journal(prestation, type_=None):
    evenements = Evenement.objects.filter(lettre_de_commande=prestation.lettre_de_commande_id).order_by("pk")
    return list(evenements.filter(type=type_) if type_ else evenements)


def notifications_de(user, cle_fin: str):
    return Notification.objects.filter(destinataire=user, cle__endswith=cle_fin)


class Dossiers:
    """Builds cases through the services and moves the clock as the story goes."""

    def __init__(self, monde, beneficiaire_de, time_machine):
        self.monde = monde
        self._beneficiaire_de = beneficiaire_de
        self._time_machine = time_machine
        self.referent = acteur(monde.referent)
        self.responsable = acteur(monde.responsable)
        self.prescripteur = acteur(monde.prescripteur)
        self._marches = {"MOV": monde.marche}

    def aller(self, date: datetime.date, heure: int = 20) -> None:
        self._time_machine.move_to(moment(date, heure), tick=True)

    def marche(self, dispositif: str):
        if dispositif not in self._marches:
            self._marches[dispositif] = MarcheFactory(
                dispositif=dispositif,
                prestataire=self.monde.marche.prestataire,
                financeur=self.monde.marche.financeur,
                reference=f"{dispositif}-X-03",
            )
        return self._marches[dispositif]

    def nouveau(self, dispositif: str = "MOV", debut: datetime.date = DEBUT, **beneficiaire) -> Prestation:
        """LdC issued by the prescripteur (PRE-01), référent designated (MOV-04)."""
        if dispositif == "PMA":
            beneficiaire.setdefault("pma_eligible", True)
        ldc = services.creer_lettre_de_commande(
            self.prescripteur,
            beneficiaire=self._beneficiaire_de(**beneficiaire),
            marche=self.marche(dispositif),
            date_debut=debut,
            accord_beneficiaire=True,
        )
        services.designer_referent(self.responsable, ldc.prestation, self.monde.referent.user)
        return recharger(ldc.prestation)

    def contractualiser(self, prestation, date: datetime.date | None = None, *, signe: bool = True, **champs):
        date = date or jour(1)
        if timezone.localdate() < date:
            self.aller(date)
        champs.setdefault("duree_minutes", 60)
        champs.setdefault("modalite", Modalite.PRESENTIEL)
        return contractualisation.contractualiser(self.referent, prestation, debut=moment(date), signe=signe, **champs)

    def en_cours(self, dispositif: str = "MOV", date: datetime.date | None = None) -> Prestation:
        """A case whose contract was signed on ``date`` (day 1 by default)."""
        return self.contractualiser(self.nouveau(dispositif), date or jour(1))

    def entretien(self, prestation, date: datetime.date, *, heure: int = 10, duree: int = 60, acteur=None, **champs):
        if timezone.now() <= moment(date, heure):
            self.aller(date)
        champs.setdefault("modalite", Modalite.PRESENTIEL)
        champs.setdefault("presence", Presence.PRESENT)
        return entretiens.enregistrer_entretien(
            acteur or self.referent, prestation, debut=moment(date, heure), duree_minutes=duree, **champs
        )

    def suspension(self, prestation, motif, debut, fin):
        return suspensions.declarer_suspension(self.referent, prestation, motif=motif, debut=debut, fin=fin)

    def periode(self, prestation, debut, fin, **champs):
        champs.setdefault("entreprise", "Boulangerie Martin")
        champs.setdefault("siret", SIRET)
        champs.setdefault("tuteur", "Jeanne Martin")
        return suspensions.enregistrer_periode_entreprise(self.referent, prestation, debut=debut, fin=fin, **champs)

    def sortie(self, prestation, type_, date: datetime.date, **champs):
        if timezone.localdate() < date:
            self.aller(date)
        return fins.enregistrer_sortie(self.referent, prestation, type=type_, date_sortie=date, **champs)


@pytest.fixture(autouse=True)
def _hachage_rapide(settings):
    """The ``monde`` fixture creates seven users: a fast hasher keeps these many tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def dossiers(monde, beneficiaire_de, time_machine):
    return Dossiers(monde, beneficiaire_de, time_machine)


CDI_TEMPS_PLEIN = {"type_contrat": TypeContrat.CDI, "temps_plein": True}


# --- Contractualisation: MOV-03, MOV-05, MOV-06 -------------------------------------


def test_mov03_contractualisation_au_jour_7_dans_les_delais(dossiers):
    p = dossiers.contractualiser(dossiers.nouveau(), jour(7))
    assert p.etat == Etat.EN_COURS and p.contractualisee_le == jour(7)
    [evenement] = journal(p, TypeEvenement.CONTRACTUALISATION)
    assert evenement.donnees["hors_delai"] is False
    assert "hors délai" not in evenement.message


def test_mov03_contractualisation_au_jour_8_enregistree_hors_delai(dossiers, monde):
    p = dossiers.contractualiser(dossiers.nouveau(), jour(8))
    assert p.etat == Etat.EN_COURS  # MOV-03 is not a block: the late contract is recorded
    [evenement] = journal(p, TypeEvenement.CONTRACTUALISATION)
    assert evenement.donnees["hors_delai"] is True
    assert "hors délai (MOV-03 : au plus tard le 30/11/2026)" in evenement.message
    [copie] = notifications_de(monde.prescripteur.user, "contrat_signe").filter(canal=Canal.IN_APP)
    assert "hors délai" in copie.corps


def test_mov05_contrat_signe_en_cours_phase_1_prescripteur_notifie(dossiers, monde):
    p = dossiers.contractualiser(dossiers.nouveau(), jour(2))
    p = recharger(p)
    assert (p.etat, p.phase, p.contrat_signe, p.contractualisee_le) == (Etat.EN_COURS, "phase_1", True, jour(2))
    [entretien] = p.entretiens.all()
    assert (entretien.phase, entretien.type, entretien.auteur) == (
        "contractualisation",
        "individuel",
        monde.referent.user,
    )
    notes = notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:contrat_signe")
    assert sorted(notes.values_list("canal", flat=True)) == [Canal.EMAIL, Canal.IN_APP]
    assert "Sa copie signée vous sera transmise sous 48 heures (MOV-05)" in notes.first().corps
    assert p.prochaine_echeance is not None  # the next deadline is computed (MOV-10 gap)


def test_mov06_contrat_non_signe_prestation_refusee_prescripteur_notifie(dossiers, monde):
    p = dossiers.contractualiser(dossiers.nouveau(), jour(2), signe=False, compte_rendu="Ne souhaite pas s'engager.")
    p = recharger(p)
    assert (p.etat, p.contrat_signe, p.terminee_le, p.motif_fin) == (Etat.REFUSEE, False, jour(2), "refus")
    assert (p.sortie.type, p.sortie.positive, p.sortie.regle) == (TypeSortie.REFUS, False, "SOR-04")
    assert p.sortie.motif == "Ne souhaite pas s'engager."
    assert journal(p, TypeEvenement.REFUS_CONTRAT)
    assert notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:contrat_refuse").count() == 2
    with refuse(p):
        dossiers.entretien(p, jour(3))


def test_mov05_contractualisation_deja_enregistree_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, regle="MOV-05"):
        dossiers.contractualiser(p, jour(2))


def test_mov05_contractualisation_sur_un_objet_perime_refusee(dossiers):
    """The caller's copy is stale (still « à contractualiser »): a clear conflict."""
    p = dossiers.nouveau()
    dossiers.contractualiser(p, jour(1))
    with refuse(p) as info:
        dossiers.contractualiser(p, jour(1))
    assert "rechargez" in info.value.message


def test_contractualisation_dans_le_futur_refusee(dossiers):
    p = dossiers.nouveau()
    with refuse(p, ValidationError, champ="debut"):
        contractualisation.contractualiser(
            dossiers.referent,
            p,
            debut=timezone.now() + datetime.timedelta(hours=2),
            duree_minutes=60,
            modalite=Modalite.PRESENTIEL,
            signe=True,
        )


def test_contractualisation_avant_le_debut_refusee(dossiers):
    p = dossiers.nouveau(debut=jour(7))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.contractualiser(p, jour(3))


def test_contractualisation_avant_designation_du_referent_refusee(dossiers, monde, beneficiaire_de):
    ldc = services.creer_lettre_de_commande(
        dossiers.prescripteur,
        beneficiaire=beneficiaire_de(),
        marche=monde.marche,
        date_debut=DEBUT,
        accord_beneficiaire=True,
    )
    p = recharger(ldc.prestation)
    dossiers.aller(jour(1))
    with refuse(p):
        contractualisation.contractualiser(
            dossiers.responsable, p, debut=moment(jour(1)), duree_minutes=60, modalite="presentiel", signe=True
        )


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


# --- Suspensions: MOV-09, MOV-07 -----------------------------------------------------


def test_mov09_maladie_14_jours_acceptee(dossiers):
    p = dossiers.en_cours()
    suspension = dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(18))
    assert suspension.jours == 14
    [evenement] = journal(p, TypeEvenement.SUSPENSION)
    assert "14 jours, sans report de la date de fin (MOV-09)" in evenement.message


def test_mov09_maladie_15_jours_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(19))
    assert "15 jours consécutifs" in info.value.message_dict["fin"][0]


def test_mov09_maladie_deux_arrets_accoles_au_dela_de_14_jours_consecutifs_refuses(dossiers):
    """Two back-to-back illness suspensions form one stretch of consecutive days."""
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(8), jour(17))  # 10 days
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(18), jour(22))  # prolonged by 5 days
    assert "15 jours consécutifs" in info.value.message_dict["fin"][0]
    with refuse(p, ValidationError, champ="fin"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(3), jour(7))  # 5 days just before, too
    assert dossiers.suspension(p, MotifSuspension.MALADIE, jour(18), jour(21)).jours == 4  # 14 in a row
    assert dossiers.suspension(p, MotifSuspension.MALADIE, jour(23), jour(36)).jours == 14  # one day apart


def test_mov09_conges_35_jours_au_total_acceptes(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.CONGES, jour(10), jour(29))  # 20 days
    dossiers.suspension(p, MotifSuspension.CONGES, jour(60), jour(74))  # 15 days
    assert faits_de(p, jour(80)).jours_conges == 35


def test_mov09_conges_36_jours_au_total_refuses(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.CONGES, jour(10), jour(29))  # 20 days
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.suspension(p, MotifSuspension.CONGES, jour(60), jour(75))  # 16 days
    assert "36 jours au total" in info.value.message_dict["fin"][0]


def test_mov09_maladie_et_conges_ont_des_limites_separees(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.CONGES, jour(10), jour(44))  # 35 days
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(45), jour(58))  # 14 more days of illness
    assert faits_de(p, jour(60)).jours_maladie == 14


def test_mov09_suspensions_qui_se_chevauchent_refusees(dossiers):
    p = dossiers.en_cours()
    dossiers.suspension(p, MotifSuspension.CONGES, jour(10), jour(20))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(20), jour(25))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.CONGES, jour(5), jour(30))


def test_mov09_suspension_couvrant_un_entretien_tenu_refusee(dossiers):
    p = dossiers.en_cours()
    dossiers.entretien(p, jour(6))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(8))


def test_mov09_suspension_chevauchant_une_periode_en_entreprise_refusee(dossiers):
    p = dossiers.en_cours()
    dossiers.periode(p, jour(14), jour(27))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(20), jour(30))


def test_mov07_la_date_de_fin_ne_bouge_pas_avec_les_suspensions(dossiers):
    p = dossiers.en_cours()
    assert p.date_fin == FIN_MOV
    dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(18))
    dossiers.suspension(p, MotifSuspension.CONGES, jour(30), jour(64))
    assert recharger(p).date_fin == FIN_MOV
    assert faits_de(p, jour(100)).jours_restants == (FIN_MOV - jour(100)).days + 1  # calendar days, not net


def test_mov07_suspension_hors_des_dates_de_la_prestation_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="debut"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(-3), jour(2))
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.suspension(p, MotifSuspension.MALADIE, FIN_MOV - datetime.timedelta(days=3), FIN_MOV.replace(day=24))
    assert "MOV-07" in info.value.message_dict["fin"][0]
    with refuse(p, ValidationError, champ="fin"):
        dossiers.suspension(p, MotifSuspension.MALADIE, jour(10), jour(9))


def test_mov09_fin_de_suspension_avancee_la_prestation_reprend(dossiers):
    p = dossiers.en_cours()
    suspension = dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(18))
    dossiers.aller(jour(10))
    suspensions.mettre_fin_suspension(dossiers.referent, suspension, jour(9))
    assert Suspension.objects.get(pk=suspension.pk).fin == jour(9)
    assert journal(p, TypeEvenement.FIN_SUSPENSION)
    assert dossiers.entretien(p, jour(10)).jour == jour(10)
    with refuse(p, ValidationError, champ="fin"):
        suspensions.mettre_fin_suspension(dossiers.referent, Suspension.objects.get(pk=suspension.pk), jour(12))


def test_mov09_fin_de_suspension_refusee_une_fois_la_prestation_terminee(dossiers):
    p = dossiers.en_cours()
    suspension = dossiers.suspension(p, MotifSuspension.MALADIE, jour(5), jour(18))
    dossiers.aller(jour(20))
    fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Déménagement.")
    with refuse(p, regle="MOV-09"):
        suspensions.mettre_fin_suspension(dossiers.referent, suspension, jour(10))


def test_mov09_suspension_refusee_hors_prestation_en_cours_et_pour_un_dispositif_sans_suspension(dossiers):
    a_contractualiser = dossiers.nouveau()
    with refuse(a_contractualiser, regle="MOV-09"):
        dossiers.suspension(a_contractualiser, MotifSuspension.MALADIE, jour(5), jour(6))
    bca = dossiers.en_cours("BCA")
    with refuse(bca) as info:
        dossiers.suspension(bca, MotifSuspension.MALADIE, jour(5), jour(6))
    assert "ne prévoit pas de suspension" in info.value.message


# --- Périodes en entreprise: MOV-12 ----------------------------------------------------


def test_mov12_periode_de_6_semaines_acceptee(dossiers):
    p = dossiers.en_cours()
    periode = dossiers.periode(p, jour(14), jour(14 + 41), tuteur_fonction="Chef d'atelier", objectif="Découverte")
    assert (periode.fin - periode.debut).days + 1 == 42
    [evenement] = journal(p, TypeEvenement.PERIODE_ENTREPRISE)
    assert "Boulangerie Martin" in evenement.message and "MOV-12" in evenement.message


def test_mov12_periode_de_6_semaines_et_1_jour_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="fin") as info:
        dossiers.periode(p, jour(14), jour(14 + 42))
    assert "43 jours" in info.value.message_dict["fin"][0]


def test_mov12_periode_de_7_jours_acceptee_de_6_jours_refusee(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="fin"):
        dossiers.periode(p, jour(14), jour(19))
    assert dossiers.periode(p, jour(14), jour(20)).fin == jour(20)


def test_mov12_siret_invalide_refuse(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="siret"):
        dossiers.periode(p, jour(14), jour(20), siret="12345678901234")
    espace = f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}"
    assert dossiers.periode(p, jour(14), jour(20), siret=espace).siret == SIRET


def test_mov12_periodes_qui_se_chevauchent_ou_hors_prestation_refusees(dossiers):
    p = dossiers.en_cours()
    dossiers.periode(p, jour(14), jour(27))
    with refuse(p, ValidationError, champ="debut"):
        dossiers.periode(p, jour(20), jour(30))
    with refuse(p, ValidationError):
        dossiers.periode(p, FIN_MOV - datetime.timedelta(days=3), FIN_MOV + datetime.timedelta(days=4))


def test_mov12_periode_refusee_pour_un_dispositif_sans_periode_en_entreprise(dossiers):
    bca = dossiers.en_cours("BCA")
    with refuse(bca) as info:
        dossiers.periode(bca, jour(5), jour(11))
    assert "ne prévoit pas de période en entreprise" in info.value.message


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


# --- Sorties: SOR-01..03, MOV-13 -----------------------------------------------------


def test_sor01_cdi_79_heures_par_mois_positive_ouvre_le_suivi(dossiers, monde):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p, TypeSortie.EMPLOI, jour(30), type_contrat=TypeContrat.CDI, temps_plein=False, heures_mensuelles=79
    )
    assert (sortie.positive, sortie.regle, sortie.categorie) == (True, "SOR-01", "emploi")
    p = recharger(p)
    assert (p.etat, p.phase, p.date_reprise) == (Etat.SUIVI_EMPLOI, "suivi_emploi", jour(30))
    assert notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:sortie").count() == 2


def test_sor01_cdi_78_heures_par_mois_non_positive_termine(dossiers):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p, TypeSortie.EMPLOI, jour(30), type_contrat=TypeContrat.CDI, temps_plein=False, heures_mensuelles=78
    )
    assert (sortie.positive, sortie.regle) == (False, "SOR-01")
    p = recharger(p)
    assert (p.etat, p.terminee_le, p.motif_fin, p.date_reprise) == (Etat.TERMINEE, jour(30), "emploi", None)


def test_sor02_formation_160_heures_a_20_heures_par_semaine_positive(dossiers):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p,
        TypeSortie.FORMATION,
        jour(30),
        formation_heures_total=160,
        formation_heures_hebdo=20,
        formation_continue=True,
    )
    assert (sortie.positive, sortie.regle, sortie.categorie) == (True, "SOR-02", "formation")
    assert recharger(p).etat == Etat.SUIVI_EMPLOI  # MOV-13: training is followed too


def test_sor02_formation_160_heures_a_19_heures_par_semaine_non_positive(dossiers):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p,
        TypeSortie.FORMATION,
        jour(30),
        formation_heures_total=160,
        formation_heures_hebdo=19,
        formation_continue=True,
    )
    assert (sortie.positive, sortie.regle) == (False, "SOR-02")
    assert recharger(p).etat == Etat.TERMINEE


def test_sor03_auto_entrepreneur_non_positive(dossiers):
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p,
        TypeSortie.CREATION_ENTREPRISE,
        jour(30),
        forme_entreprise=FormeEntreprise.MICRO_ENTREPRENEUR,
        nature_entreprise=NatureEntreprise.CREATION,
    )
    assert (sortie.positive, sortie.regle) == (False, "SOR-03")
    assert recharger(p).etat == Etat.TERMINEE


def test_sor03_creation_de_societe_positive_sans_suivi_dans_l_emploi(dossiers):
    """MOV-13 follows a job or a training (the rule set's ``suivi_emploi.sorties``), not a business."""
    p = dossiers.en_cours()
    sortie = dossiers.sortie(
        p,
        TypeSortie.CREATION_ENTREPRISE,
        jour(30),
        forme_entreprise=FormeEntreprise.SOCIETE,
        nature_entreprise=NatureEntreprise.REPRISE,
        employeur="SARL Martin",
    )
    assert (sortie.positive, sortie.regle, sortie.employeur) == (True, "SOR-03", "SARL Martin")
    assert recharger(p).etat == Etat.TERMINEE


@pytest.mark.parametrize("dispositif", ["BCA", "BAM", "PMA", "CEP"])
def test_sor01_sortie_positive_sans_suivi_termine_la_prestation(dossiers, dispositif):
    p = dossiers.en_cours(dispositif)
    sortie = dossiers.sortie(p, TypeSortie.EMPLOI, jour(10), **CDI_TEMPS_PLEIN)
    assert sortie.positive
    p = recharger(p)
    assert (p.etat, p.date_reprise, p.terminee_le) == (Etat.TERMINEE, None, jour(10))


def test_sor_donnees_contradictoires_refusees(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(jour(30))
    with refuse(p, ValidationError, champ="duree_contrat_mois"):
        dossiers.sortie(p, TypeSortie.EMPLOI, jour(30), duree_contrat_mois=6, **CDI_TEMPS_PLEIN)
    with refuse(p, ValidationError, champ="heures_mensuelles"):
        dossiers.sortie(
            p, TypeSortie.EMPLOI, jour(30), type_contrat=TypeContrat.CDI, temps_plein=True, heures_mensuelles=80
        )
    with refuse(p, ValidationError, champ="type_contrat"):
        dossiers.sortie(p, TypeSortie.FORMATION, jour(30), type_contrat=TypeContrat.CDI, convention_afpr=True)


def test_sor_dates_de_sortie_refusees(dossiers):
    p = dossiers.en_cours(date=jour(3))
    dossiers.aller(jour(30))
    for date in (jour(31), jour(2)):  # future; before the contractualisation
        with refuse(p, ValidationError, champ="date_sortie"):
            fins.enregistrer_sortie(dossiers.referent, p, type=TypeSortie.EMPLOI, date_sortie=date, **CDI_TEMPS_PLEIN)


def test_sor04_terme_sans_emploi_au_terme_seulement(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV - datetime.timedelta(days=1))
    with refuse(p, regle="SOR-04"):
        dossiers.sortie(p, TypeSortie.TERME_SANS_EMPLOI, FIN_MOV - datetime.timedelta(days=1))
    sortie = dossiers.sortie(p, TypeSortie.TERME_SANS_EMPLOI, FIN_MOV)
    assert (sortie.positive, sortie.regle, recharger(p).etat) == (False, "SOR-04", Etat.TERMINEE)


@pytest.mark.parametrize("type_", [TypeSortie.ABANDON, TypeSortie.REFUS, TypeSortie.INTERRUPTION_ECART_ENTRETIENS])
def test_sor04_les_fins_non_positives_ne_passent_pas_par_la_sortie(dossiers, type_):
    p = dossiers.en_cours()
    dossiers.aller(jour(30))
    with refuse(p, ValidationError, champ="type"):
        dossiers.sortie(p, type_, jour(30))


def test_sortie_refusee_hors_prestation_en_cours(dossiers):
    p = dossiers.nouveau()
    dossiers.aller(jour(3))
    with refuse(p):
        dossiers.sortie(p, TypeSortie.EMPLOI, jour(3), **CDI_TEMPS_PLEIN)


# --- Suivi dans l'emploi: MOV-13 -------------------------------------------------------


def _en_suivi(dossiers, reprise=None):
    reprise = reprise or jour(30)
    p = dossiers.en_cours()
    dossiers.sortie(p, TypeSortie.EMPLOI, reprise, **CDI_TEMPS_PLEIN)
    return recharger(p)


def test_mov13_sortie_en_cdi_ouvre_le_suivi_avec_ses_fenetres(dossiers):
    reprise = jour(30)  # 23/12/2026
    p = _en_suivi(dossiers, reprise)
    [evenement] = journal(p, TypeEvenement.SORTIE)
    assert "Suivi dans l'emploi jusqu'au 22/03/2027 (MOV-13)" in evenement.message
    f = faits_de(p, reprise)
    assert [(w["debut"], w["fin"]) for w in f.suivi_emploi] == [
        (reprise, datetime.date(2026, 12, 29)),  # first week
        (datetime.date(2026, 12, 30), datetime.date(2027, 1, 22)),  # rest of month 1
        (datetime.date(2027, 1, 23), datetime.date(2027, 2, 22)),  # month 2
        (datetime.date(2027, 2, 23), datetime.date(2027, 3, 22)),  # month 3
    ]
    assert p.prochaine_echeance == datetime.date(2026, 12, 29)
    assert f.ecart_net is None  # MOV-10 watches the prestation en cours only
    # MOV-11: the weeks missed before the outcome stay listed; none is expected after it.
    assert faits_de(p, jour(90)).semaines_sans_entretien == [jour(7), jour(14), jour(21)]
    dossiers.entretien(p, jour(33), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    f = faits_de(p, jour(40))
    assert f.suivi_emploi[0]["entretien"] is not None and not f.suivi_emploi[0]["en_retard"]
    # Next: the bilan final, due 7 days after the outcome (LIV-02), before the next window.
    assert recharger(p).prochaine_echeance == datetime.date(2026, 12, 30)
    assert "LIV-02" in recharger(p).prochaine_echeance_libelle


def test_mov13_entretien_de_suivi_exige_toujours_en_emploi(dossiers):
    p = _en_suivi(dossiers)
    with refuse(p, ValidationError, champ="toujours_en_emploi"):
        dossiers.entretien(p, jour(32), modalite=Modalite.TELEPHONE)
    entretien = dossiers.entretien(p, jour(32), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    assert (entretien.phase, entretien.toujours_en_emploi) == ("suivi_emploi", True)


def test_mov13_toujours_en_emploi_refuse_hors_suivi(dossiers):
    p = dossiers.en_cours()
    with refuse(p, ValidationError, champ="toujours_en_emploi"):
        dossiers.entretien(p, jour(5), toujours_en_emploi=True)


def test_mov13_clore_suivi_refuse_avant_3_mois_accepte_apres(dossiers):
    p = _en_suivi(dossiers, jour(30))  # follow-up until 22/03/2027
    dossiers.entretien(p, jour(32), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    dossiers.aller(datetime.date(2027, 3, 22))
    with refuse(p, regle="MOV-13"):
        fins.clore_suivi(dossiers.referent, p)
    dossiers.aller(datetime.date(2027, 3, 23))
    p = fins.clore_suivi(dossiers.referent, p)
    assert (p.etat, p.terminee_le, p.motif_fin) == (Etat.TERMINEE, datetime.date(2027, 3, 23), "suivi_clos")
    [evenement] = journal(p, TypeEvenement.SUIVI_CLOS)
    assert evenement.donnees["maintien"] is True


def test_mov13_clore_suivi_plus_tot_quand_la_personne_n_est_plus_en_emploi(dossiers):
    p = _en_suivi(dossiers, jour(30))
    dossiers.entretien(p, jour(32), modalite=Modalite.TELEPHONE, toujours_en_emploi=True)
    with refuse(p, regle="MOV-13"):
        fins.clore_suivi(dossiers.referent, p)
    dossiers.entretien(p, jour(50), modalite=Modalite.TELEPHONE, toujours_en_emploi=False)
    p = fins.clore_suivi(dossiers.referent, p)
    assert p.etat == Etat.TERMINEE
    [evenement] = journal(p, TypeEvenement.SUIVI_CLOS)
    assert evenement.donnees["maintien"] is False and "n'est plus en poste" in evenement.message


def test_mov13_clore_suivi_refuse_sans_suivi(dossiers):
    p = dossiers.en_cours()
    with refuse(p, regle="MOV-13"):
        fins.clore_suivi(dossiers.referent, p)


def test_mov13_pas_d_interruption_pendant_le_suivi(dossiers):
    p = _en_suivi(dossiers)
    with refuse(p):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Ne répond plus.")


# --- Interruptions: SOR-04, PMA-04 ---------------------------------------------------


@pytest.mark.parametrize(
    ("dispositif", "type_"),
    [
        ("MOV", TypeSortie.ABANDON),
        ("MOV", TypeSortie.INTERRUPTION),
        ("PMA", TypeSortie.REORIENTATION),
        ("PMA", TypeSortie.EXCLUSION),
    ],
)
def test_sor04_chaque_interruption_est_enregistree_distinctement(dossiers, monde, dispositif, type_):
    p = dossiers.en_cours(dispositif)
    dossiers.aller(jour(12))
    sortie = fins.interrompre(
        dossiers.referent, p, type=type_, motif="  Motif détaillé.  ", consultation_financeur=True
    )
    assert (sortie.type, sortie.positive, sortie.regle, sortie.motif) == (type_, False, "SOR-04", "Motif détaillé.")
    p = recharger(p)
    assert (p.etat, p.motif_fin, p.terminee_le) == (Etat.INTERROMPUE, type_, jour(12))
    [evenement] = journal(p, TypeEvenement.INTERRUPTION)
    assert TypeSortie(type_).label in evenement.message
    [note] = notifications_de(monde.prescripteur.user, f"prestation:{p.pk}:interruption").filter(canal=Canal.IN_APP)
    assert "LIV-03" in note.corps


def test_sor04_interruption_avant_contractualisation_et_date_passee(dossiers):
    p = dossiers.nouveau()
    dossiers.aller(jour(6))
    sortie = fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="Injoignable.", date_sortie=jour(4))
    assert (recharger(p).etat, sortie.date_sortie) == (Etat.INTERROMPUE, jour(4))


def test_sor04_interruption_sans_motif_date_future_ou_avant_le_debut_refusee(dossiers):
    p = dossiers.en_cours()
    dossiers.aller(jour(10))
    with refuse(p, ValidationError, champ="motif"):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="  ")
    with refuse(p, ValidationError, champ="type"):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.EMPLOI, motif="Emploi")
    with refuse(p, ValidationError, champ="date_sortie"):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="x", date_sortie=jour(11))
    with refuse(p, ValidationError, champ="date_sortie"):
        fins.interrompre(dossiers.referent, p, type=TypeSortie.ABANDON, motif="x", date_sortie=jour(-2))


def test_pma04_exclusion_refusee_sans_consultation(dossiers):
    p = dossiers.en_cours("PMA")
    with refuse(p, ValidationError, champ="consultation_financeur") as info:
        fins.interrompre(dossiers.referent, p, type=TypeSortie.EXCLUSION, motif="Absences répétées.")
    assert "PMA-04" in info.value.message_dict["consultation_financeur"][0]


@pytest.mark.parametrize("consultation", ["consultation_financeur", "consultation_referent"])
def test_pma04_exclusion_acceptee_apres_consultation(dossiers, consultation):
    p = dossiers.en_cours("PMA")
    sortie = fins.interrompre(
        dossiers.referent, p, type=TypeSortie.EXCLUSION, motif="Trois absences injustifiées.", **{consultation: True}
    )
    assert getattr(sortie, consultation) is True
    assert (sortie.type, recharger(p).etat) == (TypeSortie.EXCLUSION, Etat.INTERROMPUE)


def test_pma04_exclusion_refusee_pour_mov(dossiers):
    p = dossiers.en_cours("MOV")
    with refuse(p, regle="PMA-04") as info:
        fins.interrompre(
            dossiers.referent, p, type=TypeSortie.EXCLUSION, motif="Absences.", consultation_financeur=True
        )
    assert "ne prévoit pas d'exclusion" in info.value.message


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
    p = entretiens.passer_phase(dossiers.referent, dossiers.contractualiser(p))
    assert p.phase == "parcours_mobilite"
    with refuse(p, regle="BAM-02"):
        fins.terminer_apres_phase(dossiers.referent, p, "absence_frein_mobilite")
    mov = dossiers.contractualiser(mov)
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
    cas = [entretiens.passer_phase(dossiers.referent, dossiers.contractualiser(p, jour(1))) for p in cas]
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
    a, b = (dossiers.contractualiser(p) for p in [dossiers.nouveau("BAM"), dossiers.nouveau("BAM")])
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
        dossiers.contractualiser(p, jour(1), phase="niveau_3")
    assert dossiers.contractualiser(p, jour(1), phase="niveau_2").phase == "niveau_2"


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


# --- Renewal: MOV-08 -------------------------------------------------------------------


def test_mov08_renouvellement_au_terme_par_le_prescripteur(dossiers, monde):
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV - datetime.timedelta(days=10))
    p = renouvellement.renouveler(acteur(monde.prescripteur), p, motif="  Parcours à consolider.  ")
    nouvelle = fin_de_periode_mois(FIN_MOV + datetime.timedelta(days=1), 6)
    assert (p.date_fin, p.nombre_renouvellements, p.etat) == (nouvelle, 1, Etat.EN_COURS)
    [decision] = Renouvellement.objects.filter(prestation=p)
    assert (decision.ancienne_date_fin, decision.nouvelle_date_fin) == (FIN_MOV, nouvelle)
    assert (decision.motif, decision.decide_par) == ("Parcours à consolider.", monde.prescripteur.user)
    assert journal(p, TypeEvenement.RENOUVELLEMENT)
    assert notifications_de(monde.referent.user, f"prestation:{p.pk}:renouvellement:1").count() == 2


def test_mov08_renouvellement_le_dernier_jour_accepte(dossiers, monde):
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV)
    assert renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Au terme.").nombre_renouvellements == 1


def test_mov08_second_renouvellement_refuse(dossiers, monde):
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV - datetime.timedelta(days=5))
    p = renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Premier renouvellement.")
    dossiers.aller(p.date_fin - datetime.timedelta(days=5))
    with refuse(p, regle="MOV-08") as info:
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Encore.")
    assert "1 fois" in info.value.message


def test_mov08_renouvellement_40_jours_avant_le_terme_refuse(dossiers, monde):
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV - datetime.timedelta(days=40))
    with refuse(p, regle="MOV-08"):
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Trop tôt.")
    dossiers.aller(FIN_MOV - datetime.timedelta(days=30))
    with refuse(p, regle="MOV-08"):
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Un jour trop tôt.")
    dossiers.aller(FIN_MOV + datetime.timedelta(days=1))
    with refuse(p, regle="MOV-08"):
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Trop tard.")


def test_mov08_le_referent_ne_peut_pas_renouveler(dossiers, monde):
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV - datetime.timedelta(days=5))
    for intrus in (monde.referent, monde.responsable, monde.prescripteur_b):
        with refuse(p, PermissionDenied):
            renouvellement.renouveler(acteur(intrus), p, motif="Renouvellement.")
    with refuse(p, ValidationError, champ="motif"):
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif=" ")


def test_mov08_renouvellement_refuse_pour_un_dispositif_sans_renouvellement(dossiers, monde):
    p = dossiers.en_cours("BAM")
    dossiers.aller(p.date_fin - datetime.timedelta(days=2))
    with refuse(p, regle="MOV-08") as info:
        renouvellement.renouveler(acteur(monde.prescripteur), p, motif="Renouvellement.")
    assert "BAM ne prévoit pas de renouvellement" in info.value.message


def test_mov08_un_autre_prescripteur_de_la_meme_agence_peut_renouveler(dossiers, monde, membre):
    collegue = membre(Role.PRESCRIPTEUR, organisation=monde.prescripteur.organisation)
    p = dossiers.en_cours()
    dossiers.aller(FIN_MOV)
    assert renouvellement.renouveler(acteur(collegue), p, motif="Décision de l'agence.").nombre_renouvellements == 1


def test_entretien_modele_phase_inconnue_est_une_erreur_de_champ(dossiers):
    """Entretien.clean() on an unknown phase: a field error, not a KeyError (500)."""
    p = dossiers.en_cours()
    entretien = Entretien(
        prestation=p, debut=moment(jour(1)), duree_minutes=30, phase="inconnue", auteur=dossiers.referent.user
    )
    with pytest.raises(ValidationError) as info:
        entretien.full_clean()
    assert "phase" in info.value.message_dict


def test_periode_en_entreprise_modele_valide_les_dates(dossiers):
    p = dossiers.en_cours()
    periode = PeriodeEnEntreprise(
        prestation=p,
        entreprise="X",
        siret=SIRET,
        debut=jour(10),
        fin=jour(9),
        tuteur="T",
        auteur=dossiers.referent.user,
    )
    with pytest.raises(ValidationError) as info:
        periode.full_clean()
    assert "fin" in info.value.message_dict
