"""Entry points of each role: the header navigation and the home page cards.

Each entry names a URL when the capability exists; entries whose capability is
still to be built carry ``url_name=None`` and are shown as « à venir ».
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from comptes.models import Role


@dataclass(frozen=True)
class Entree:
    libelle: str
    description: str
    url_name: str | None = None

    @property
    def url(self) -> str | None:
        if self.url_name is None:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


MON_ORGANISATION = Entree(
    "Mon organisation", "Coordonnées, départements couverts et membres.", "comptes:organisation_courante"
)

ENTREES: dict[Role, list[Entree]] = {
    Role.PRESCRIPTEUR: [
        Entree("Bénéficiaires", "Rechercher ou créer un bénéficiaire.", "beneficiaires:liste"),
        Entree(
            "Lettres de commande",
            "Prescrire une prestation et suivre les lettres de commande émises.",
            "prestations:ldc_liste",
        ),
        Entree("Prestations", "Suivre les prestations commandées (consultation, renouvellement).", "prestations:liste"),
        MON_ORGANISATION,
    ],
    Role.REFERENT: [
        Entree(
            "Lettres de commande reçues",
            "Les commandes des prestations dont vous êtes le référent.",
            "prestations:ldc_liste",
        ),
        Entree("Mes prestations", "Les prestations dont vous êtes le référent.", "prestations:liste"),
        Entree("Sessions collectives", "Ateliers collectifs et présence des participants.", "prestations:sessions"),
        Entree("À traiter", "Les échéances de vos dossiers, les plus proches d'abord.", "prestations:a_traiter"),
        MON_ORGANISATION,
    ],
    Role.RESPONSABLE: [
        Entree(
            "Lettres de commande reçues",
            "Les commandes reçues par votre structure ; désigner un référent.",
            "prestations:ldc_liste",
        ),
        Entree("Prestations de la structure", "Tous les dossiers suivis par vos référents.", "prestations:liste"),
        Entree("À traiter", "Les échéances de tous les dossiers de la structure.", "prestations:a_traiter"),
        Entree("Sessions collectives", "Ateliers collectifs et présence des participants.", "prestations:sessions"),
        MON_ORGANISATION,
    ],
    Role.GESTIONNAIRE_FINANCIER: [
        Entree("Jalons à valider", "Valider ou rejeter les jalons de paiement."),
        Entree("États de paiement", "Les états de paiement émis."),
        MON_ORGANISATION,
    ],
    Role.FINANCEUR: [
        Entree("Indicateurs", "Tableaux de bord mensuels par cohorte."),
        Entree("Exports", "Exports CSV et XLSX des indicateurs."),
        MON_ORGANISATION,
    ],
    Role.ADMINISTRATEUR: [
        Entree("Administration", "Organisations, utilisateurs, appartenances et marchés.", "admin:index"),
        Entree("Organisations", "Toutes les organisations de la plateforme.", "comptes:organisations"),
        Entree("Documentation de l'API", "Schéma OpenAPI et interface Swagger.", "swagger-ui"),
    ],
}


def entrees(role: Role) -> list[Entree]:
    return ENTREES.get(role, [])
