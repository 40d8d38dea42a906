"""Cases of every dispositif at the point where each document is due (issue 14)."""

import datetime

import pytest

from comptes.acteurs import Acteur
from prestations.commandes import services
from tests.factories import MarcheFactory, siret_valide

# --- Cases at the point where each document is due (issue 14) -------------------------------

PARIS = datetime.timezone(datetime.timedelta(hours=1))  # November–March: winter time


class Fabrique:
    """Builds cases of every dispositif up to the phase where a document is due, moving the
    clock forward as a référent would live it (entretiens logged the day they are held)."""

    def __init__(self, monde, beneficiaire_de, time_machine):
        self.monde, self.beneficiaire_de, self.time_machine = monde, beneficiaire_de, time_machine
        self.referent = Acteur(monde.referent.user, monde.referent)
        self.responsable = Acteur(monde.responsable.user, monde.responsable)
        self.prescripteur = Acteur(monde.prescripteur.user, monde.prescripteur)
        self.marches = {"MOV": monde.marche}

    def aller(self, jour: datetime.date, heure: int = 10):
        self.time_machine.move_to(datetime.datetime.combine(jour, datetime.time(heure), tzinfo=PARIS), tick=True)

    def marche(self, dispositif):
        if dispositif not in self.marches:
            self.marches[dispositif] = MarcheFactory(
                prestataire=self.monde.marche.prestataire,
                financeur=self.monde.marche.financeur,
                dispositif=dispositif,
                reference=f"{dispositif}-X-03",
            )
        return self.marches[dispositif]

    def recharger(self, p):
        from prestations.models import Prestation

        return Prestation.objects.get(pk=p.pk)

    def dossier(
        self,
        dispositif="MOV",
        *,
        debut=datetime.date(2026, 11, 23),
        email="jeanne.girard@exemple.test",
        contractualiser=True,
        phase=None,
        **beneficiaire,
    ):
        from prestations.suivi import contractualisation

        self.aller(debut, 9)
        beneficiaire.setdefault("nom", "Girard")
        beneficiaire.setdefault("prenom", "Jeanne")
        if dispositif == "PMA":
            beneficiaire.update(pma_eligible=True, demandeur_emploi=True)
        ldc = services.creer_lettre_de_commande(
            self.prescripteur,
            beneficiaire=self.beneficiaire_de(
                email=email, telephone="06 12 34 56 78", adresse="12 rue des Tanneurs", **beneficiaire
            ),
            marche=self.marche(dispositif),
            date_debut=debut,
            accord_beneficiaire=True,
            motivation="Reprise d'activité après une longue période sans emploi.",
        )
        p = services.designer_referent(self.responsable, ldc.prestation, self.monde.referent.user)
        if not contractualiser:
            return p
        self.aller(debut + datetime.timedelta(days=1), 11)
        return contractualisation.contractualiser(
            self.referent,
            self.recharger(p),
            debut=django_now() - datetime.timedelta(hours=1),
            duree_minutes=60,
            modalite="presentiel",
            signe=True,
            phase=phase,
        )

    def entretien(self, p, jour, *, heure=10, duree=60, modalite="presentiel", presence="present", phase=""):
        from prestations.suivi import entretiens

        self.aller(jour, heure + 1)
        entretiens.enregistrer_entretien(
            self.referent,
            self.recharger(p),
            debut=django_now() - datetime.timedelta(hours=1),
            duree_minutes=duree,
            modalite=modalite,
            presence=presence,
            phase=phase,
        )
        return self.recharger(p)

    def semaines(self, p, nombre, *, depuis=None):
        """One entretien a week (MOV-11), on Tuesdays."""
        jour = depuis or (p.contractualisee_le + datetime.timedelta(days=7))
        for _ in range(nombre):
            p = self.entretien(p, jour)
            jour += datetime.timedelta(days=7)
        return p

    def phase_suivante(self, p, cible=None):
        from prestations.suivi import entretiens

        return entretiens.passer_phase(self.referent, self.recharger(p), cible)

    def action(self, p, **champs):
        from prestations.suivi import parcours

        champs.setdefault("nature", "action")
        champs.setdefault("statut", "prevue")
        return parcours.ajouter_action(self.referent, self.recharger(p), **champs)

    def periode(self, p, debut, fin):
        from prestations.suivi import suspensions

        suspensions.enregistrer_periode_entreprise(
            self.referent,
            self.recharger(p),
            entreprise="Transports Allier Express",
            siret=siret_valide(90210),
            debut=debut,
            fin=fin,
            tuteur="Marc Perrin",
            objectif="Découvrir le métier de chauffeur-livreur.",
        )
        return self.recharger(p)


def django_now():
    from django.utils import timezone

    return timezone.now()


@pytest.fixture
def fabrique(monde, beneficiaire_de, time_machine, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    return Fabrique(monde, beneficiaire_de, time_machine)
