"""The one case builder of the test suite: a small prescription world and ``Dossiers``.

``Monde`` is two prescribing agencies, two prestataires (X and Y, one référent and one
responsable each), a financeur and the MOV marchés of X and Y, with the clock frozen on
Monday 23 November 2026 at 10:00 in Paris (``DEBUT``). ``Dossiers`` builds cases in that
world through the services only (never by writing ``etat``), each method named after a
business situation, and moves the clock with time-machine as the story goes. The
fixtures ``monde``, ``beneficiaire_de`` and ``dossiers`` (``tests/conftest.py``) are the
only way test modules get them.

Time: a method that records something on a later day moves the clock there first (at
20:00 by default, so that everything recorded that day is in the past); one that records
something on today or an earlier day leaves the clock alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comptes.acteurs import Acteur
from comptes.envoi import envoyer_emails_en_attente
from comptes.models import Role
from livrables.services import transmettre_livrable
from prestations import faits
from prestations.commandes import services
from prestations.models import Entretien, LettreDeCommande, Marche, Modalite, Presence, Prestation
from prestations.sorties import TypeContrat, TypeSortie
from prestations.suivi import contractualisation, entretiens, fins, suspensions
from territoires.models import Commune, Departement
from tests.factories import BeneficiaireFactory, MarcheFactory, OrganisationFactory, siret_valide

PARIS = ZoneInfo("Europe/Paris")
#: The ``monde`` fixture's today (a Monday); the LdC start date of most cases.
DEBUT = datetime.date(2026, 11, 23)
#: MOV-07: 180 calendar days from ``DEBUT``, the last one included.
FIN_MOV = datetime.date(2027, 5, 21)
#: A valid SIRET for the périodes en entreprise (MOV-12).
SIRET = siret_valide(4242)
#: SOR-01: the plainest positive job outcome.
CDI_TEMPS_PLEIN = {"type_contrat": TypeContrat.CDI, "temps_plein": True}


def jour(n: int) -> datetime.date:
    """Day ``n`` counted from ``DEBUT`` (day 0)."""
    return DEBUT + datetime.timedelta(days=n)


def moment(date: datetime.date, heure: int = 10, minute: int = 0) -> datetime.datetime:
    """``date`` at ``heure``:``minute`` on the Paris wall clock."""
    return datetime.datetime.combine(date, datetime.time(heure, minute), tzinfo=PARIS)


def acteur(membership) -> Acteur:
    return Acteur(membership.user, membership)


def recharger(prestation) -> Prestation:
    """A fresh copy of the case from the database."""
    return Prestation.objects.select_related("lettre_de_commande").get(pk=prestation.pk)


def faits_de(prestation, le: datetime.date) -> faits.FaitsDossier:
    """The case's computed facts (MOV-10, MOV-11, phases...) on ``le``."""
    chargee = faits.charger(Prestation.objects.select_related("lettre_de_commande")).get(pk=prestation.pk)
    return faits.faits_dossier(chargee, le)


# --- The world -------------------------------------------------------------------------------


@dataclass
class Monde:
    prescripteur: object  # agence A (Allier and Puy-de-Dôme)
    prescripteur_b: object  # agence B (Allier)
    responsable: object  # prestataire X
    referent: object  # prestataire X
    responsable_y: object
    referent_y: object
    financeur: object  # the DR that pays both marchés
    marche: Marche  # MOV, prestataire X, Allier
    marche_y: Marche  # MOV, prestataire Y, Allier
    moulins: Commune
    clermont: Commune


def construire_monde(membre, time_machine) -> Monde:
    """The world of the ``monde`` fixture; the clock stops at ``DEBUT`` 10:00 (Paris) and ticks."""
    time_machine.move_to(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC), tick=True)
    agence_a = OrganisationFactory(agence_france_travail=True, nom="Agence A")
    agence_b = OrganisationFactory(agence_france_travail=True, nom="Agence B")
    agence_a.departements.set(Departement.objects.filter(code__in=["03", "63"]))
    agence_b.departements.set(Departement.objects.filter(code__in=["03"]))
    x = OrganisationFactory(prestataire=True, nom="Prestataire X")
    y = OrganisationFactory(prestataire=True, nom="Prestataire Y")
    dr = OrganisationFactory(direction_regionale=True, nom="DR ARA")
    financeur = membre(Role.FINANCEUR, organisation=dr)
    return Monde(
        prescripteur=membre(Role.PRESCRIPTEUR, organisation=agence_a, email="presc.a@exemple.test"),
        prescripteur_b=membre(Role.PRESCRIPTEUR, organisation=agence_b, email="presc.b@exemple.test"),
        responsable=membre(Role.RESPONSABLE, organisation=x, email="resp.x@exemple.test"),
        referent=membre(Role.REFERENT, organisation=x, email="ref.x@exemple.test"),
        responsable_y=membre(Role.RESPONSABLE, organisation=y, email="resp.y@exemple.test"),
        referent_y=membre(Role.REFERENT, organisation=y, email="ref.y@exemple.test"),
        financeur=financeur,
        marche=MarcheFactory(prestataire=x, financeur=dr, reference="MOV-X-03"),
        marche_y=MarcheFactory(prestataire=y, financeur=dr, reference="MOV-Y-03"),
        moulins=Commune.objects.get(code_insee="03190"),
        clermont=Commune.objects.get(code_insee="63113"),
    )


def beneficiaire_dans(monde: Monde, organisation=None, **kwargs):
    """A bénéficiaire of agence A (or ``organisation``) living in Moulins unless told otherwise."""
    kwargs.setdefault("commune", monde.moulins)
    return BeneficiaireFactory(organisation=organisation or monde.prescripteur.organisation, **kwargs)


# --- The cases ----------------------------------------------------------------------------


class Dossiers:
    """Builds cases through the services and moves the clock as the story goes.

    ``commande`` (the LdC alone) → ``nouveau`` (its référent designated) →
    ``contractualise`` (or ``en_cours`` for both; ``signe_ce_matin`` without moving the
    clock) → ``entretien``, ``tenir_entretiens``, ``suspension``, ``periode`` → ``sortie``;
    ``en_suivi_emploi`` and ``au_terme`` are the later situations. Every action is made by
    the case's référent unless told otherwise.
    """

    def __init__(self, monde: Monde, beneficiaire_de, time_machine):
        self.monde = monde
        self._beneficiaire_de = beneficiaire_de
        self._time_machine = time_machine
        self.referent = acteur(monde.referent)
        self.responsable = acteur(monde.responsable)
        self.prescripteur = acteur(monde.prescripteur)
        self._marches = {"MOV": monde.marche}
        self._referents: dict[int, object] = {}  # prestation pk → membership of its référent

    # -- time and places

    def aller(self, date: datetime.date, heure: int = 20) -> None:
        """Move the (ticking) clock to ``date`` at ``heure`` o'clock in Paris."""
        self._time_machine.move_to(moment(date, heure), tick=True)

    def marche(self, dispositif: str) -> Marche:
        """The marché of prestataire X for ``dispositif`` (the same one on every call)."""
        if dispositif not in self._marches:
            self._marches[dispositif] = MarcheFactory(
                dispositif=dispositif,
                prestataire=self.monde.marche.prestataire,
                financeur=self.monde.marche.financeur,
                reference=f"{dispositif}-X-03",
            )
        return self._marches[dispositif]

    def _chez_x(self, marche) -> bool:
        return marche.prestataire_id == self.monde.marche.prestataire_id

    def referent_de(self, prestation) -> Acteur:
        """The acteur of the membership designated référent of the case by ``nouveau``."""
        return acteur(self._referents.get(prestation.pk, self.monde.referent))

    # -- the order

    def commande(
        self, dispositif: str = "MOV", debut: datetime.date = DEBUT, *, marche=None, **beneficiaire
    ) -> LettreDeCommande:
        """PRE-01: the LdC issued by the prescripteur of agence A; no référent yet (attente_referent)."""
        if dispositif == "PMA":
            beneficiaire.setdefault("pma_eligible", True)
        return services.creer_lettre_de_commande(
            self.prescripteur,
            beneficiaire=self._beneficiaire_de(**beneficiaire),
            marche=marche or self.marche(dispositif),
            date_debut=debut,
            accord_beneficiaire=True,
        )

    def nouveau(
        self, dispositif: str = "MOV", debut: datetime.date = DEBUT, *, marche=None, referent=None, **beneficiaire
    ) -> Prestation:
        """PRE-01 then MOV-04: the LdC issued, its référent designated (à contractualiser).

        ``marche``: another marché than X's for ``dispositif`` (``monde.marche_y``: the
        case is then Y's, designated by Y's responsable). ``referent``: a membership of
        the prestataire other than its usual référent. ``beneficiaire``: the fields or
        traits of the bénéficiaire (``nom="Girard"``); PMA ones are ``pma_eligible``.
        """
        ldc = self.commande(dispositif, debut, marche=marche, **beneficiaire)
        chez_x = self._chez_x(ldc.marche)
        referent = referent or (self.monde.referent if chez_x else self.monde.referent_y)
        responsable = self.responsable if chez_x else acteur(self.monde.responsable_y)
        services.designer_referent(responsable, ldc.prestation, referent.user)
        self._referents[ldc.prestation.pk] = referent
        return recharger(ldc.prestation)

    # -- the accompaniment

    def contractualise(
        self,
        prestation,
        date: datetime.date | None = None,
        *,
        heure: int = 10,
        minute: int = 0,
        signe: bool = True,
        par=None,
        **champs,
    ) -> Prestation:
        """MOV-05 (signed) or MOV-06 (``signe=False``): the contractualisation entretien on
        ``date`` (day 1 by default) at ``heure``:``minute``, 60 minutes, face to face."""
        date = date or jour(1)
        if timezone.localdate() < date:
            self.aller(date)
        champs.setdefault("duree_minutes", 60)
        champs.setdefault("modalite", Modalite.PRESENTIEL)
        return contractualisation.contractualiser(
            par or self.referent_de(prestation), prestation, debut=moment(date, heure, minute), signe=signe, **champs
        )

    def en_cours(
        self,
        dispositif: str = "MOV",
        date: datetime.date | None = None,
        *,
        debut: datetime.date = DEBUT,
        dossier=None,
        heure: int = 10,
        minute: int = 0,
        copie_envoyee: bool = False,
        contrat_transmis: bool = True,
        **nouveau,
    ) -> Prestation:
        """A case (``dossier``, or a new one starting on ``debut``) whose contract was signed
        on ``date``, the day after its start by default, and transmitted to the prescripteur
        at once, as a référent does (MOV-05; ``contrat_transmis=False`` leaves it owed).

        ``copie_envoyee``: the outbox is sent right after, as the deadline tests want it.
        """
        p = dossier or self.nouveau(dispositif, debut, **nouveau)
        p = self.contractualise(p, date or p.date_debut + datetime.timedelta(days=1), heure=heure, minute=minute)
        if contrat_transmis and p.regle.delai_copie_contrat_heures:
            self.transmet_le_contrat(p)
        if copie_envoyee:
            envoyer_emails_en_attente()
        return recharger(p)

    def transmet_le_contrat(self, prestation) -> None:
        """MOV-05: the signed contrat d'accompagnement, scanned, transmitted to the prescripteur."""
        transmettre_livrable(
            self.referent_de(prestation),
            recharger(prestation),
            type="contrat_accompagnement",
            fichier=SimpleUploadedFile("contrat.pdf", b"%PDF-1.4\n% contrat signe\n%%EOF\n"),
        )

    def signe_ce_matin(self, dispositif: str = "MOV", **nouveau) -> Prestation:
        """A case starting today whose contract was signed at 08:00 this morning: the clock
        stays where it is, so a page can be read and posted to at once."""
        aujourd_hui = timezone.localdate()
        return self.en_cours(dispositif, aujourd_hui, debut=aujourd_hui, heure=8, **nouveau)

    def entretien(
        self,
        prestation,
        date: datetime.date,
        *,
        heure: int = 10,
        minute: int = 0,
        duree: int = 60,
        acteur=None,
        **champs,
    ) -> Entretien:
        """EMA-01: an individual face-to-face entretien, the person present, unless told otherwise."""
        if timezone.now() <= moment(date, heure, minute):
            self.aller(date)
        champs.setdefault("modalite", Modalite.PRESENTIEL)
        champs.setdefault("presence", Presence.PRESENT)
        return entretiens.enregistrer_entretien(
            acteur or self.referent_de(prestation),
            prestation,
            debut=moment(date, heure, minute),
            duree_minutes=duree,
            **champs,
        )

    def tenir_entretiens(self, prestation, jusqu_au: datetime.date, pas: int = 13) -> None:
        """Keep the MOV-10 gap short: an entretien every ``pas`` days after the last one, until ``jusqu_au``."""
        dernier = timezone.localtime(Entretien.objects.filter(prestation=prestation).latest("debut").debut).date()
        date = dernier + datetime.timedelta(days=pas)
        while date <= jusqu_au:
            self.entretien(prestation, date)
            date += datetime.timedelta(days=pas)

    def suspension(self, prestation, motif, debut: datetime.date, fin: datetime.date, **champs):
        """MOV-09: a suspension declared by the référent."""
        return suspensions.declarer_suspension(
            self.referent_de(prestation), prestation, motif=motif, debut=debut, fin=fin, **champs
        )

    def periode(self, prestation, debut: datetime.date, fin: datetime.date, **champs):
        """MOV-12: a période en entreprise at the Boulangerie Martin, tutored by Jeanne Martin."""
        champs.setdefault("entreprise", "Boulangerie Martin")
        champs.setdefault("siret", SIRET)
        champs.setdefault("tuteur", "Jeanne Martin")
        return suspensions.enregistrer_periode_entreprise(
            self.referent_de(prestation), prestation, debut=debut, fin=fin, **champs
        )

    # -- the end

    def sortie(self, prestation, type_, date: datetime.date, **champs):
        """SOR-01..04: the outcome recorded on ``date`` (the clock goes there if it is later)."""
        if timezone.localdate() < date:
            self.aller(date)
        return fins.enregistrer_sortie(self.referent_de(prestation), prestation, type=type_, date_sortie=date, **champs)

    def en_suivi_emploi(self, reprise: datetime.date | None = None) -> Prestation:
        """MOV-13: an MOV case signed on day 1, left for a full-time CDI on ``reprise`` (day 30)."""
        p = self.en_cours()
        self.sortie(p, TypeSortie.EMPLOI, reprise or jour(30), **CDI_TEMPS_PLEIN)
        return recharger(p)

    def au_terme(self, dispositif: str = "MOV", *, jours_avant: int = 0) -> Prestation:
        """MOV-07 / MOV-08: a case signed on day 1, the clock ``jours_avant`` days before its end date."""
        p = self.en_cours(dispositif)
        self.aller(p.date_fin - datetime.timedelta(days=jours_avant))
        return p
