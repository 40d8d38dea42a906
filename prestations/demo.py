"""Demo marchés (one per dispositif) and a few bénéficiaires with their lettres de commande."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptes.acteurs import Acteur
from comptes.models import Membership, Role
from prestations.models import Marche
from territoires.models import Departement

#: (référence, intitulé, dispositif, prestataire key, financeur key, départements, prix HT, durée)
MARCHES = [
    (
        "FT-ARA-MOV-2026-01",
        "Mobilisation vers l'emploi — Allier",
        "MOV",
        "pf_mobilite",
        "ft_dr_ara",
        ["03"],
        "1650.00",
        None,
    ),
    (
        "FT-ARA-MOV-2026-02",
        "Mobilisation vers l'emploi — Puy-de-Dôme et Loire",
        "MOV",
        "cap_avenir",
        "ft_dr_ara",
        ["63", "42"],
        "1650.00",
        None,
    ),
    (
        "FT-ARA-BCA-2026-01",
        "Bilan de compétences approfondi",
        "BCA",
        "cap_avenir",
        "ft_dr_ara",
        ["03", "63", "42"],
        "980.00",
        None,
    ),
    (
        "FT-ARA-BAM-2026-01",
        "Bilan / Accompagnement Mobilité",
        "BAM",
        "pf_mobilite",
        "ft_dr_ara",
        ["03", "63"],
        "720.00",
        None,
    ),
    (
        "CD03-PMA-2026",
        "Plateforme mobilité départementale de l'Allier",
        "PMA",
        "pf_mobilite",
        "cd_allier",
        ["03"],
        "540.00",
        120,
    ),
    (
        "FT-ARA-CEP-2026-01",
        "Conseil en évolution professionnelle",
        "CEP",
        "cap_avenir",
        "ft_dr_ara",
        ["03", "63"],
        "450.00",
        None,
    ),
]


@transaction.atomic
def creer_marches_demo(organisations) -> list[Marche]:
    marches = []
    for reference, intitule, dispositif, prestataire, financeur, codes, prix, duree in MARCHES:
        marche, _ = Marche.objects.update_or_create(
            reference=reference,
            defaults={
                "intitule": intitule,
                "dispositif": dispositif,
                "prestataire": organisations[prestataire],
                "financeur": organisations[financeur],
                "date_debut": datetime.date(2026, 1, 1),
                "date_fin": datetime.date(2027, 12, 31),
                "prix_unitaire_ht": Decimal(prix),
                "taux_tva": Decimal("20.00"),
                "duree_prestation_jours": duree,
                "actif": True,
            },
        )
        marche.departements.set(Departement.objects.filter(code__in=codes))
        marches.append(marche)
    return marches


def creer_dossiers_demo(organisations) -> int:
    """Two bénéficiaires of the FT agence with an MOV and a BAM LdC (only once)."""
    from beneficiaires.models import Beneficiaire
    from prestations.commandes.services import creer_lettre_de_commande
    from territoires.models import Commune

    membership = Membership.objects.select_related("user", "organisation").get(
        organisation=organisations["ft_moulins"],
        role=Role.PRESCRIPTEUR,
        user__email="prescripteur@demo.prestations.test",
    )
    acteur = Acteur(membership.user, membership)
    personnes = [
        ("Lucas", "Girard", datetime.date(1991, 4, 12), "4512378B", "03190", "MOV", "non"),
        ("Amina", "Diallo", datetime.date(1986, 9, 3), "3398127K", "03310", "BAM", "oui"),
    ]
    crees = 0
    for prenom, nom, naissance, identifiant, commune, dispositif, qpv in personnes:
        beneficiaire, _ = Beneficiaire.objects.get_or_create(
            identifiant_ft=identifiant,
            defaults={
                "civilite": "monsieur" if prenom == "Lucas" else "madame",
                "prenom": prenom,
                "nom": nom,
                "date_naissance": naissance,
                "commune": Commune.objects.get(code_insee=commune),
                "statut": "demandeur_emploi",
                "categorie_demandeur": "A",
                "date_inscription_ft": datetime.date(2025, 3, 1),
                "niveau_francais": "B2",
                "projet_professionnel": "Agent(e) de propreté en milieu hospitalier",
                "code_rome": "K2204",
                "projet_defini": True,
                "qpv": qpv,
                "organisation": organisations["ft_moulins"],
                "cree_par": membership.user,
            },
        )
        if beneficiaire.lettres_de_commande.exists():
            continue
        marche = Marche.objects.filter(dispositif=dispositif, departements__code=beneficiaire.departement_id).first()
        creer_lettre_de_commande(
            acteur,
            beneficiaire=beneficiaire,
            marche=marche,
            date_debut=timezone.localdate(),
            accord_beneficiaire=True,
            motivation="Dossier de démonstration.",
        )
        crees += 1
    return crees


def creer_parcours_demo(organisations) -> int:
    """A MOV case started 40 days ago and run by the demo référent: contractualisation,
    weekly entretiens, an illness suspension, phase 2 (only once)."""
    from beneficiaires.models import Beneficiaire
    from prestations.commandes import services
    from prestations.suivi import contractualisation, entretiens, suspensions
    from territoires.models import Commune

    prescription = Membership.objects.select_related("user", "organisation").get(
        organisation=organisations["ft_moulins"], role=Role.PRESCRIPTEUR
    )
    responsable = Membership.objects.select_related("user", "organisation").get(
        organisation=organisations["pf_mobilite"], role=Role.RESPONSABLE
    )
    referent = Membership.objects.select_related("user", "organisation").get(
        organisation=organisations["pf_mobilite"], role=Role.REFERENT
    )
    beneficiaire, cree = Beneficiaire.objects.get_or_create(
        identifiant_ft="5120984C",
        defaults={
            "civilite": "madame",
            "prenom": "Nadia",
            "nom": "Roussel",
            "date_naissance": datetime.date(1979, 2, 17),
            "commune": Commune.objects.get(code_insee="03190"),
            "statut": "rsa",
            "niveau_francais": "C1",
            "projet_professionnel": "Aide à domicile",
            "code_rome": "K1304",
            "projet_defini": True,
            "territoire_rural": "oui",
            "organisation": organisations["ft_moulins"],
            "cree_par": prescription.user,
        },
    )
    if beneficiaire.lettres_de_commande.exists():
        return 0
    aujourd_hui = timezone.localdate()
    debut = aujourd_hui - datetime.timedelta(days=40)
    marche = Marche.objects.get(reference="FT-ARA-MOV-2026-01")
    ldc = services.creer_lettre_de_commande(
        Acteur(prescription.user, prescription),
        beneficiaire=beneficiaire,
        marche=marche,
        date_debut=debut,
        accord_beneficiaire=True,
        motivation="Reprise d'activité après une longue période d'inactivité ; freins de mobilité.",
        aujourd_hui=debut,
    )
    services.designer_referent(Acteur(responsable.user, responsable), ldc.prestation, referent.user)
    acteur = Acteur(referent.user, referent)

    def a(jour, heure=10):
        return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))

    prestation = ldc.prestation
    prestation.refresh_from_db()
    contractualisation.contractualiser(
        acteur,
        prestation,
        debut=a(debut + datetime.timedelta(days=3)),
        duree_minutes=60,
        modalite="presentiel",
        signe=True,
        compte_rendu="Présentation de la prestation, signature du contrat d'accompagnement.",
    )
    for jours in (9, 16):
        prestation.refresh_from_db()
        entretiens.enregistrer_entretien(
            acteur,
            prestation,
            debut=a(debut + datetime.timedelta(days=jours)),
            duree_minutes=45,
            modalite="presentiel",
            presence="present",
            compte_rendu="Diagnostic : situation sociale, mobilité, santé.",
        )
    prestation.refresh_from_db()
    entretiens.passer_phase(acteur, prestation)
    prestation.refresh_from_db()
    suspensions.declarer_suspension(
        acteur,
        prestation,
        motif="maladie",
        debut=debut + datetime.timedelta(days=20),
        fin=debut + datetime.timedelta(days=26),
        commentaire="Arrêt maladie transmis par la bénéficiaire.",
    )
    prestation.refresh_from_db()
    entretiens.enregistrer_entretien(
        acteur,
        prestation,
        debut=a(debut + datetime.timedelta(days=29)),
        duree_minutes=50,
        modalite="presentiel",
        presence="present",
        compte_rendu="Construction du parcours : cibles professionnelles, recherche de stage.",
    )
    prestation.refresh_from_db()
    return 1
