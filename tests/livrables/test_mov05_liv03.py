"""MOV-05: the copy of the signed contract within 48 hours is met by the transmission of the
signed contrat d'accompagnement, not by the notice of the contractualisation; late, it is
a breach. LIV-03: after an interruption, the deliverables of the phases done go within 48
hours, signed or not. LIV-01: the bilan intermédiaire signed and transmitted in time."""

import datetime

import pytest

from comptes.envoi import envoyer_emails_en_attente
from comptes.models import Canal, Notification
from livrables import services
from livrables.models import EtatLivrable, Livrable
from prestations.echeances import balayage
from prestations.models import Echeance, EtatEcheance, TypeEcheance
from prestations.sorties import TypeSortie
from prestations.suivi import fins
from tests.livrables.documents_de_test import document_signe, signer_tout, textes

pytestmark = pytest.mark.django_db


def _ligne(p, type_):
    return Echeance.objects.get(prestation=p, type=type_)


def test_mov05_la_copie_reste_due_apres_la_contractualisation_et_l_envoi_de_l_avis(fabrique):
    p = fabrique.dossier("MOV")
    ligne = _ligne(p, TypeEcheance.COPIE_CONTRAT)
    avis = Notification.objects.get(cle=f"prestation:{p.pk}:contrat_signe", canal=Canal.EMAIL)
    assert "Sa copie signée vous sera transmise sous 48 heures (MOV-05)" in avis.corps
    assert (ligne.etat, ligne.regle) == (EtatEcheance.A_VENIR, "MOV-05")
    assert ligne.due_le - avis.cree_le == datetime.timedelta(hours=48)
    assert envoyer_emails_en_attente() >= 1  # the notice goes out: it is no copy of the contract
    assert _ligne(p, TypeEcheance.COPIE_CONTRAT).etat == EtatEcheance.A_VENIR


def test_mov05_la_transmission_du_contrat_signe_honore_la_copie(fabrique, time_machine):
    p = fabrique.dossier("MOV")
    fabrique.aller(p.contractualisee_le, 15)  # four hours after the contractualisation
    contrat = document_signe(fabrique, "contrat_accompagnement", prestation=p)
    assert _ligne(p, TypeEcheance.COPIE_CONTRAT).etat == EtatEcheance.A_VENIR  # signed is not sent
    contrat = services.transmettre(fabrique.referent, Livrable.objects.get(pk=contrat.pk))
    ligne = _ligne(p, TypeEcheance.COPIE_CONTRAT)
    assert (ligne.etat, ligne.honoree_le) == (EtatEcheance.HONOREE, contrat.transmis_le)
    assert Notification.objects.filter(cle=f"livrable:{contrat.pk}", destinataire=fabrique.monde.prescripteur.user)


def test_mov05_une_transmission_tardive_est_un_depassement(fabrique, time_machine):
    p = fabrique.dossier("MOV")
    contrat = document_signe(fabrique, "contrat_accompagnement", prestation=p)
    due = _ligne(p, TypeEcheance.COPIE_CONTRAT).due_le
    time_machine.move_to(due + datetime.timedelta(hours=2), tick=False)  # the sweep has not run yet
    services.transmettre(fabrique.referent, Livrable.objects.get(pk=contrat.pk))
    assert _ligne(p, TypeEcheance.COPIE_CONTRAT).etat == EtatEcheance.A_VENIR  # late: not met
    balayage.balayer(due + datetime.timedelta(hours=2, minutes=5))
    ligne = _ligne(p, TypeEcheance.COPIE_CONTRAT)
    assert ligne.etat == EtatEcheance.ECHUE
    assert Notification.objects.filter(cle=f"echeance:{ligne.pk}:depassement").exists()


def test_liv01_le_bilan_intermediaire_signe_et_transmis_a_temps_honore_l_echeance(fabrique):
    p = fabrique.semaines(fabrique.dossier("MOV"), 3)
    bilan = document_signe(fabrique, "bilan_intermediaire", prestation=p)
    bilan = services.transmettre(fabrique.referent, Livrable.objects.get(pk=bilan.pk))
    ligne = _ligne(p, TypeEcheance.BILAN_INTERMEDIAIRE)
    assert (ligne.etat, ligne.honoree_le) == (EtatEcheance.HONOREE, bilan.transmis_le)


def test_liv03_les_livrables_des_phases_faites_partent_sous_48_heures_signes_ou_non(fabrique, monde, client_de):
    p = fabrique.semaines(fabrique.dossier("MOV"), 1)
    # The contract was drafted and submitted; the bénéficiaire never signed it.
    contrat = services.soumettre(
        fabrique.referent,
        services.rediger(fabrique.referent, p, "contrat_accompagnement"),
        textes("contrat_accompagnement"),
    )
    fins.interrompre(fabrique.referent, fabrique.recharger(p), type=TypeSortie.ABANDON, motif="Ne vient plus.")
    p = fabrique.recharger(p)
    ligne = _ligne(p, TypeEcheance.LIVRABLES_INTERRUPTION)
    assert (ligne.regle, ligne.etat) == ("LIV-03", EtatEcheance.A_VENIR)
    assert "contrat d'accompagnement" in ligne.libelle
    reponse = client_de(monde.referent).post(f"/livrables/{contrat.pk}/transmettre-en-l-etat/")
    assert reponse.status_code == 302
    contrat = Livrable.objects.get(pk=contrat.pk)
    assert (contrat.etat, contrat.sans_signature) == (EtatLivrable.TRANSMIS, True) and contrat.fichier
    assert _ligne(p, TypeEcheance.LIVRABLES_INTERRUPTION).etat == EtatEcheance.HONOREE
    # On a running case, nothing goes unsigned.
    autre = fabrique.dossier("MOV", nom="Martin")
    brouillon = services.rediger(fabrique.referent, autre, "contrat_accompagnement")
    refus = client_de(monde.referent).post(f"/livrables/{brouillon.pk}/transmettre-en-l-etat/")
    assert refus.status_code == 409


def test_liv02_le_beneficiaire_recoit_sa_copie_du_bilan_final_par_un_lien(fabrique, client):
    p = fabrique.semaines(fabrique.dossier("MOV"), 8)
    p = fabrique.phase_suivante(p)
    bilan = document_signe(fabrique, "bilan_final", prestation=p)
    bilan = services.transmettre(fabrique.referent, Livrable.objects.get(pk=bilan.pk))
    copie = Notification.objects.get(cle=f"livrable:{bilan.pk}:copie")
    assert (copie.adresse, copie.canal, copie.destinataire) == ("jeanne.girard@exemple.test", Canal.EMAIL, None)
    reponse = client.get(copie.lien)  # no account
    assert reponse.status_code == 200 and b"".join(reponse.streaming_content) == bilan.fichier.open("rb").read()
    assert client.get("/copie/pas-un-jeton/").status_code == 404


def test_pay01_le_responsable_accepte_la_lettre_de_commande_en_la_signant(fabrique, monde, client_de):
    p = fabrique.dossier("MOV")
    refus = client_de(monde.referent).post(f"/prestations/{p.pk}/livrables/rediger/", {"type": "lettre_de_commande"})
    assert refus.status_code == 403
    assert not Livrable.objects.filter(type="lettre_de_commande").exists()  # refused for a référent
    client = client_de(monde.responsable)
    reponse = client.post(f"/prestations/{p.pk}/livrables/rediger/", {"type": "lettre_de_commande"})
    assert reponse.status_code == 302 and "role=responsable" in reponse["Location"]
    lettre = Livrable.objects.get(type="lettre_de_commande")
    nom = str(monde.responsable.user)
    signee = client.post(
        reponse["Location"], {"role": "responsable", "signature-nom": nom, "signature-consentement": "on"}
    )
    assert signee.status_code == 302
    from livrables.scellement import sceller

    lettre = sceller(lettre.pk)
    assert lettre.etat == EtatLivrable.TRANSMIS and lettre.fichier
    assert Notification.objects.filter(cle=f"livrable:{lettre.pk}", destinataire=monde.prescripteur.user).exists()
    page = client_de(monde.prescripteur).get(f"/prestations/{p.pk}/").content.decode()
    assert "Acceptée et signée" in page
    assert signer_tout  # the helper signs any kind, the LdC included (tests/livrables/test_documents_par_type.py)
