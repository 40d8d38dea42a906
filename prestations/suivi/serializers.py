"""Serializers of the follow-up API: the case and its records (output), and the input
of each action (types only: the rules are the actions', ``prestations.suivi``)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commun.api import DateHeure, ModelSerializer, Serializer
from commun.bornes import longueur
from prestations import faits
from prestations.models import (
    ActionParcours,
    Entretien,
    Evenement,
    Modalite,
    MotifSuspension,
    NatureAction,
    PeriodeEnEntreprise,
    Presence,
    Prestation,
    Renouvellement,
    SessionCollective,
    Sortie,
    StatutAction,
    Suspension,
    TypeEntretien,
)
from prestations.sorties import FormeEntreprise, NatureEntreprise, TypeContrat, TypeSortie
from prestations.suivi.fins import TYPES_INTERRUPTION

# --- Output serializers ---------------------------------------------------------------


class EntretienSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    modalite_libelle = serializers.CharField(source="get_modalite_display", read_only=True)
    presence_libelle = serializers.CharField(source="get_presence_display", read_only=True)

    class Meta:
        model = Entretien
        fields = [
            "id",
            "prestation",
            "debut",
            "duree_minutes",
            "type",
            "type_libelle",
            "modalite",
            "modalite_libelle",
            "phase",
            "presence",
            "presence_libelle",
            "compte_rendu",
            "session",
            "toujours_en_emploi",
            "auteur",
            "cree_le",
        ]
        read_only_fields = fields


class SuspensionSerializer(ModelSerializer):
    motif_libelle = serializers.CharField(source="get_motif_display", read_only=True)
    jours = serializers.IntegerField(read_only=True)

    class Meta:
        model = Suspension
        fields = ["id", "motif", "motif_libelle", "debut", "fin", "jours", "commentaire", "auteur", "cree_le"]
        read_only_fields = fields


class PeriodeEntrepriseSerializer(ModelSerializer):
    class Meta:
        model = PeriodeEnEntreprise
        fields = [
            "id",
            "entreprise",
            "siret",
            "debut",
            "fin",
            "tuteur",
            "tuteur_fonction",
            "tuteur_contact",
            "objectif",
            "auteur",
            "cree_le",
        ]
        read_only_fields = fields


class SortieSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    etat_prestation = serializers.CharField(source="prestation.etat", read_only=True)
    # Empty when the outcome has no such fact (a training has no contract type): the schema says so.
    type_contrat = serializers.ChoiceField(choices=TypeContrat.choices, allow_blank=True, read_only=True)
    forme_entreprise = serializers.ChoiceField(choices=FormeEntreprise.choices, allow_blank=True, read_only=True)
    nature_entreprise = serializers.ChoiceField(choices=NatureEntreprise.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Sortie
        fields = [
            "id",
            "prestation",
            "etat_prestation",
            "type",
            "type_libelle",
            "date_sortie",
            "positive",
            "categorie",
            "regle",
            "explication",
            "type_contrat",
            "duree_contrat_mois",
            "temps_plein",
            "heures_mensuelles",
            "formation_heures_total",
            "formation_heures_hebdo",
            "formation_continue",
            "convention_afpr",
            "forme_entreprise",
            "nature_entreprise",
            "employeur",
            "motif",
            "consultation_referent",
            "consultation_financeur",
            "auteur",
            "cree_le",
        ]
        read_only_fields = fields


class RenouvellementSerializer(ModelSerializer):
    class Meta:
        model = Renouvellement
        fields = ["id", "ancienne_date_fin", "nouvelle_date_fin", "motif", "decide_par", "cree_le"]
        read_only_fields = fields


class ActionParcoursSerializer(ModelSerializer):
    nature_libelle = serializers.CharField(source="get_nature_display", read_only=True)
    statut_libelle = serializers.CharField(source="get_statut_display", read_only=True)

    class Meta:
        model = ActionParcours
        fields = [
            "id",
            "prestation",
            "nature",
            "nature_libelle",
            "libelle",
            "date_debut",
            "date_fin",
            "intervenant",
            "cout",
            "aides_mobilisables",
            "statut",
            "statut_libelle",
            "commentaire",
            "auteur",
            "cree_le",
        ]
        read_only_fields = fields


class EvenementSerializer(ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    auteur = serializers.StringRelatedField(allow_null=True, help_text="Vide pour un fait de la plateforme.")

    class Meta:
        model = Evenement
        fields = ["id", "type", "type_libelle", "survenu_le", "message", "auteur"]
        read_only_fields = fields


class ProgressionPhaseSerializer(Serializer):
    cle = serializers.CharField()
    libelle = serializers.CharField()
    entretiens = serializers.IntegerField(help_text="Entretiens individuels tenus dans la phase.")
    minimum = serializers.IntegerField(help_text="Entretiens individuels exigés par le dispositif.")
    courante = serializers.BooleanField()
    atteinte = serializers.BooleanField()
    complete = serializers.BooleanField()


class FenetreSuiviSerializer(Serializer):
    """MOV-13: one follow-up window and the entretien held in it."""

    debut = serializers.DateField()
    fin = serializers.DateField()
    entretien = serializers.SerializerMethodField()
    en_retard = serializers.BooleanField()
    a_venir = serializers.BooleanField()

    def get_entretien(self, fenetre) -> int | None:
        return fenetre["entretien"].pk if fenetre["entretien"] else None


class EcheanceSerializer(Serializer):
    date = serializers.DateField()
    libelle = serializers.CharField()
    regle = serializers.CharField()


class FaitsDossierSerializer(Serializer):
    """The computed facts of the case (``prestations.faits.faits_dossier``) on ``le``."""

    le = serializers.DateField()
    jours_restants = serializers.IntegerField(allow_null=True)
    jours_depuis_dernier_entretien = serializers.IntegerField(allow_null=True)
    ecart_net = serializers.IntegerField(allow_null=True, help_text="MOV-10 : jours nets depuis le dernier entretien.")
    ecart_max = serializers.IntegerField(allow_null=True)
    date_limite_ecart = serializers.DateField(allow_null=True)
    semaines_sans_entretien = serializers.ListField(
        child=serializers.DateField(), help_text="MOV-11 : lundis des semaines sans entretien hebdomadaire."
    )
    phases = ProgressionPhaseSerializer(many=True)
    suspension_en_cours = SuspensionSerializer(allow_null=True)
    jours_maladie = serializers.IntegerField()
    jours_conges = serializers.IntegerField()
    suivi_emploi = FenetreSuiviSerializer(many=True)
    echeances = EcheanceSerializer(many=True)


class PersonneSerializer(Serializer):
    id = serializers.IntegerField()
    nom = serializers.CharField()
    email = serializers.EmailField()


class BeneficiaireResumeSerializer(Serializer):
    id = serializers.IntegerField()
    prenom = serializers.CharField()
    nom = serializers.CharField()


class PrestationListeSerializer(ModelSerializer):
    numero = serializers.CharField(source="lettre_de_commande.numero")
    beneficiaire = BeneficiaireResumeSerializer(source="lettre_de_commande.beneficiaire")
    dispositif = serializers.CharField(source="lettre_de_commande.dispositif")
    prestataire = serializers.CharField(source="lettre_de_commande.marche.prestataire.nom")
    referent = serializers.SerializerMethodField()
    etat_libelle = serializers.CharField(source="get_etat_display")
    phase_libelle = serializers.SerializerMethodField()
    jours_restants = serializers.SerializerMethodField()

    class Meta:
        model = Prestation
        fields = [
            "id",
            "numero",
            "lettre_de_commande",
            "beneficiaire",
            "dispositif",
            "prestataire",
            "referent",
            "etat",
            "etat_libelle",
            "phase",
            "phase_libelle",
            "date_debut",
            "date_fin",
            "jours_restants",
            "prochaine_echeance",
            "prochaine_echeance_libelle",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonneSerializer(allow_null=True))
    def get_referent(self, obj):
        referent = obj.referent
        return {"id": referent.pk, "nom": str(referent), "email": referent.email} if referent else None

    def get_phase_libelle(self, obj) -> str:
        phase = obj.phase_regle
        return phase.libelle if phase else ""

    def get_jours_restants(self, obj) -> int | None:
        return faits.jours_restants(obj, timezone.localdate())


class PrestationDetailSerializer(PrestationListeSerializer):
    """The case at a glance: its facts, entretiens, suspensions, périodes, sortie, actions, journal."""

    faits = serializers.SerializerMethodField()
    entretiens = EntretienSerializer(many=True, read_only=True)
    suspensions = SuspensionSerializer(many=True, read_only=True)
    periodes_entreprise = PeriodeEntrepriseSerializer(many=True, read_only=True)
    sortie = SortieSerializer(read_only=True, allow_null=True)
    actions = ActionParcoursSerializer(many=True, read_only=True)
    renouvellements = RenouvellementSerializer(many=True, read_only=True)
    journal = EvenementSerializer(source="lettre_de_commande.evenements", many=True, read_only=True)

    class Meta(PrestationListeSerializer.Meta):
        fields = [
            *PrestationListeSerializer.Meta.fields,
            "contractualisee_le",
            "contrat_signe",
            "date_reprise",
            "terminee_le",
            "motif_fin",
            "nombre_renouvellements",
            "faits",
            "entretiens",
            "suspensions",
            "periodes_entreprise",
            "sortie",
            "actions",
            "renouvellements",
            "journal",
        ]
        read_only_fields = fields

    @extend_schema_field(FaitsDossierSerializer)
    def get_faits(self, obj):
        return FaitsDossierSerializer(faits.faits_dossier(obj, timezone.localdate())).data


class RefusSerializer(Serializer):
    """409: the rules refuse the action now; nothing was changed."""

    detail = serializers.CharField()
    regle = serializers.CharField(help_text="Identifiant de la règle (MOV-09, BCA-02…), vide si aucune.")


# --- Input serializers: types only; the rules are the workflow's --------------------


class ContractualisationEntreeSerializer(Serializer):
    debut = DateHeure(help_text="Date et heure de l'entretien de contractualisation.")
    duree_minutes = serializers.IntegerField(min_value=5, max_value=480)
    modalite = serializers.ChoiceField(choices=Modalite.choices)
    signe = serializers.BooleanField(help_text="Le bénéficiaire a-t-il signé le contrat d'accompagnement ?")
    compte_rendu = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=longueur(Entretien, "compte_rendu")
    )
    phase = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Dispositifs aux phases non ordonnées (CEP-01) : la phase d'entrée (ex. niveau_2).",
    )


class EntretienEntreeSerializer(Serializer):
    debut = DateHeure(help_text="Date et heure (passées : un entretien se saisit après coup).")
    duree_minutes = serializers.IntegerField(min_value=5, max_value=480)
    type = serializers.ChoiceField(choices=TypeEntretien.choices, default=TypeEntretien.INDIVIDUEL)
    modalite = serializers.ChoiceField(choices=Modalite.choices)
    presence = serializers.ChoiceField(choices=Presence.choices, default=Presence.PRESENT)
    phase = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=40, help_text="Par défaut la phase en cours."
    )
    compte_rendu = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=longueur(Entretien, "compte_rendu")
    )
    toujours_en_emploi = serializers.BooleanField(
        allow_null=True, default=None, help_text="Suivi dans l'emploi seulement (MOV-13)."
    )


class PhaseEntreeSerializer(Serializer):
    cible = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text="Phase visée ; facultative quand les phases se suivent dans l'ordre.",
    )


class FinAnticipeeEntreeSerializer(Serializer):
    motif = serializers.CharField(max_length=60, help_text="Un des motifs de fin anticipée de la phase (BAM-02).")


class SuspensionEntreeSerializer(Serializer):
    motif = serializers.ChoiceField(choices=MotifSuspension.choices)
    debut = serializers.DateField()
    fin = serializers.DateField()
    commentaire = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class FinSuspensionEntreeSerializer(Serializer):
    fin = serializers.DateField(help_text="Nouvelle fin, avancée (la prestation reprend le lendemain).")


class PeriodeEntrepriseEntreeSerializer(Serializer):
    entreprise = serializers.CharField(max_length=200)
    siret = serializers.CharField(max_length=20, help_text="14 chiffres ; les espaces sont ignorés.")
    debut = serializers.DateField()
    fin = serializers.DateField()
    tuteur = serializers.CharField(max_length=200)
    tuteur_fonction = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    tuteur_contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    objectif = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=longueur(PeriodeEnEntreprise, "objectif")
    )

    def validate_siret(self, valeur):
        return "".join(valeur.split())


class SortieEntreeSerializer(Serializer):
    """The facts of the outcome (SOR-01..03); fields of another kind of outcome are refused."""

    type = serializers.ChoiceField(
        choices=[(t.value, t.label) for t in TypeSortie if t.value not in TYPES_INTERRUPTION]
    )
    date_sortie = serializers.DateField()
    type_contrat = serializers.ChoiceField(choices=TypeContrat.choices, required=False, allow_null=True)
    duree_contrat_mois = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    temps_plein = serializers.BooleanField(required=False, allow_null=True)
    heures_mensuelles = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    formation_heures_total = serializers.DecimalField(max_digits=7, decimal_places=1, required=False, allow_null=True)
    formation_heures_hebdo = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    formation_continue = serializers.BooleanField(required=False, allow_null=True)
    convention_afpr = serializers.BooleanField(required=False)
    forme_entreprise = serializers.ChoiceField(choices=FormeEntreprise.choices, required=False, allow_null=True)
    nature_entreprise = serializers.ChoiceField(choices=NatureEntreprise.choices, required=False, allow_null=True)
    employeur = serializers.CharField(required=False, allow_blank=True, max_length=200)
    motif = serializers.CharField(required=False, allow_blank=True, max_length=longueur(Sortie, "motif"))


class InterruptionEntreeSerializer(Serializer):
    type = serializers.ChoiceField(choices=[(t.value, t.label) for t in TypeSortie if t.value in TYPES_INTERRUPTION])
    motif = serializers.CharField(max_length=longueur(Sortie, "motif"))
    date_sortie = serializers.DateField(required=False, allow_null=True, default=None)
    consultation_referent = serializers.BooleanField(default=False, help_text="PMA-04 : référent consulté.")
    consultation_financeur = serializers.BooleanField(default=False, help_text="PMA-04 : financeur consulté.")


class RenouvellementEntreeSerializer(Serializer):
    motif = serializers.CharField(max_length=longueur(Renouvellement, "motif"))


class ActionParcoursEntreeSerializer(Serializer):
    nature = serializers.ChoiceField(choices=NatureAction.choices)
    libelle = serializers.CharField(max_length=200)
    date_debut = serializers.DateField(required=False, allow_null=True)
    date_fin = serializers.DateField(required=False, allow_null=True)
    intervenant = serializers.CharField(required=False, allow_blank=True, max_length=200)
    cout = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0, required=False, allow_null=True)
    aides_mobilisables = serializers.CharField(required=False, allow_blank=True, max_length=300)
    statut = serializers.ChoiceField(choices=StatutAction.choices, required=False)
    commentaire = serializers.CharField(
        required=False, allow_blank=True, max_length=longueur(ActionParcours, "commentaire")
    )


class SessionEntreeSerializer(Serializer):
    titre = serializers.CharField(max_length=200)
    debut = DateHeure()
    duree_minutes = serializers.IntegerField(min_value=15, max_value=480)
    modalite = serializers.ChoiceField(choices=Modalite.choices, default=Modalite.PRESENTIEL)
    taille_max = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="BAM-03 : 6 au plus en micro-collectif."
    )


class ParticipantEntreeSerializer(Serializer):
    prestation = serializers.PrimaryKeyRelatedField(queryset=Prestation.objects.none())
    presence = serializers.ChoiceField(choices=Presence.choices)

    def __init__(self, *args, acteur=None, **kwargs):
        super().__init__(*args, **kwargs)
        if acteur is not None:
            self.fields["prestation"].queryset = Prestation.objects.visible_par(acteur).pour_liste()


class ParticipationSerializer(ModelSerializer):
    entretien = serializers.IntegerField(source="pk")
    beneficiaire = serializers.SerializerMethodField()
    presence_libelle = serializers.CharField(source="get_presence_display")

    class Meta:
        model = Entretien
        fields = ["entretien", "prestation", "beneficiaire", "presence", "presence_libelle"]
        read_only_fields = fields

    def get_beneficiaire(self, obj) -> str:
        beneficiaire = obj.prestation.lettre_de_commande.beneficiaire
        return f"{beneficiaire.prenom} {beneficiaire.nom}"


class SessionCollectiveSerializer(ModelSerializer):
    modalite_libelle = serializers.CharField(source="get_modalite_display", read_only=True)
    participants = ParticipationSerializer(source="participations", many=True, read_only=True)

    class Meta:
        model = SessionCollective
        fields = [
            "id",
            "titre",
            "debut",
            "duree_minutes",
            "modalite",
            "modalite_libelle",
            "taille_max",
            "animateur",
            "participants",
            "cree_le",
        ]
        read_only_fields = fields
