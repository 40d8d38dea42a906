"""The facts version of a case (``prestations.models.version``): the triggers that move it
cover exactly what the deadline rules read (``prestations.faits.RELATIONS``). A table the
rules read without its trigger would let the sweep trust stale rows silently. Then the
re-check of the sweep (issue 5): a row is acted upon as it stands only while its case's
facts are at the version the row was computed from."""

import datetime

import pgtrigger
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from livrables.models import Livrable
from prestations import faits
from prestations.models import Entretien, Etat, MotifSuspension, Prestation, Suspension, version
from prestations.models.echeances import Echeance, EtatEcheance, TypeEcheance
from tests.prestations.dossiers import FIN_MOV, jour, recharger
from tests.support.echeances import REFERENT, avis, balayer_a, deux_canaux, ligne, minuit


def test_les_tables_qui_changent_la_version_sont_celles_que_les_regles_lisent():
    avec_declencheur = {modele for modele, trigger in pgtrigger.registered() if trigger.name == version.NOM}
    lues_par_les_regles = {getattr(Prestation, nom).rel.related_model for nom in faits.RELATIONS}
    assert avec_declencheur == lues_par_les_regles
    assert {m._meta.label for m in avec_declencheur} == {
        "prestations.Entretien",
        "prestations.Suspension",
        "prestations.PeriodeEnEntreprise",
        "livrables.Livrable",
    }


def test_le_dossier_lui_meme_change_sa_version():
    assert [t.name for m, t in pgtrigger.registered() if m is Prestation and t.name == "version_du_dossier"] == [
        "version_du_dossier"
    ]


# --- The re-check: the facts version of a case -------------------------------------------


def version_de(p) -> int:
    return Prestation.objects.values_list("version_faits", flat=True).get(pk=p.pk)


def test_version_des_faits_suit_tout_ce_que_les_regles_lisent(dossiers, monde):
    """Any change of what the rules read moves the case's facts version, whoever makes it
    (a service, the admin, a ``QuerySet.update``); what they do not read leaves it."""
    p = dossiers.en_cours(copie_envoyee=True)
    [ecart] = Echeance.objects.filter(prestation=p, type=TypeEcheance.ECART_ENTRETIENS)
    assert ecart.version_faits == version_de(p)  # the open rows are vouched for at the case's version
    entretien = dossiers.entretien(p, jour(3))
    assert ligne(p, TypeEcheance.ECART_ENTRETIENS, etat=EtatEcheance.A_VENIR).version_faits == version_de(p)
    livrable = Livrable(
        prestation=p,
        type="bilan_intermediaire",
        fichier="livrables/x.pdf",
        nom_original="x.pdf",
        taille=1,
        empreinte="0" * 64,
        transmis_le=timezone.now(),
        depose_par=monde.referent.user,
    )
    ecritures = [
        lambda: Entretien.objects.filter(pk=entretien.pk).update(duree_minutes=45),
        lambda: Suspension.objects.bulk_create(
            [
                Suspension(
                    prestation=p, motif=MotifSuspension.CONGES, debut=jour(4), fin=jour(5), auteur=entretien.auteur
                )
            ]
        ),
        lambda: Suspension.objects.filter(prestation=p).delete(),
        lambda: livrable.save(),
        lambda: Entretien.objects.filter(pk=entretien.pk).delete(),
        lambda: Prestation.objects.filter(pk=p.pk).update(date_fin=FIN_MOV + datetime.timedelta(days=1)),
    ]
    for ecrire in ecritures:
        avant = version_de(p)
        ecrire()
        assert version_de(p) == avant + 1
    # The next deadline the lists sort on is not a fact: rewriting it changes nothing.
    avant = version_de(p)
    Prestation.objects.filter(pk=p.pk).update(prochaine_echeance=jour(30), prochaine_echeance_libelle="Autre")
    assert version_de(p) == avant
    # A copy read before a change cannot put the version back by saving.
    copie = Prestation.objects.get(pk=p.pk)
    dossiers.entretien(p, jour(6))
    apres = version_de(p)
    copie.save()
    assert version_de(p) == apres


def test_mov10_entretien_saisi_hors_des_services_le_balayage_recalcule_l_echeance(dossiers, time_machine):
    """MOV-10: a row is acted upon as it stands only while its case's facts are those it
    was computed from. An entretien written without the services (so without its row
    being rewritten) changes the version: the sweep recomputes the row from the facts,
    finds the gap restarted and honours it instead of interrupting the prestation."""
    p = dossiers.en_cours(copie_envoyee=True)
    ecart = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    entretien = dossiers.entretien(p, jour(8))
    Echeance.objects.filter(pk=ecart.pk).update(  # the rows as they were before that entretien
        etat=EtatEcheance.A_VENIR, honoree_le=None, prochaine_action_le=ecart.prochaine_action_le, version_faits=None
    )
    Echeance.objects.filter(prestation=p, type=TypeEcheance.ECART_ENTRETIENS).exclude(pk=ecart.pk).delete()
    Echeance.objects.filter(pk=ecart.pk).update(version_faits=version_de(p))  # vouched for now…
    Entretien.objects.filter(pk=entretien.pk).update(duree_minutes=50)  # …until a fact changes
    resultat = balayer_a(time_machine, ecart.due_le)
    assert (resultat.transitions, resultat.honorees) == (0, 1)
    assert recharger(p).etat == Etat.EN_COURS
    ecart.refresh_from_db()
    assert (ecart.etat, ecart.honoree_le) == (EtatEcheance.HONOREE, entretien.debut)


def test_mov10_sans_fait_nouveau_le_balayage_ne_relit_pas_les_faits(dossiers, time_machine):
    """MOV-10 warnings on cases unchanged since their rows were computed: the sweep acts on
    the rows as they stand, without reading the entretiens, suspensions and périodes."""
    cas = [dossiers.en_cours(dossier=p, copie_envoyee=True) for p in [dossiers.nouveau() for _ in range(3)]]
    alerte = ligne(cas[0], TypeEcheance.ECART_ENTRETIENS).alertes[0]
    with CaptureQueriesContext(connection) as requetes:
        resultat = balayer_a(time_machine, alerte)
    assert (resultat.examinees, resultat.avertissements) == (3, 3)
    lues = " ".join(q["sql"] for q in requetes.captured_queries)
    for table in ("prestations_entretien", "prestations_suspension", "prestations_periodeenentreprise"):
        assert f'FROM "{table}"' not in lues
    for p in cas:
        echeance = ligne(p, TypeEcheance.ECART_ENTRETIENS)
        assert avis(f"echeance:{echeance.pk}:alerte:1") == deux_canaux(REFERENT)


def test_mov10_suspension_saisie_hors_des_services_le_balayage_repousse_l_echeance(dossiers, time_machine):
    """MOV-10: a suspension written without the services (its row not rewritten) still
    pauses the clock: at the former due time the sweep recomputes the row from the facts,
    moves its due time by the suspension's days and does not interrupt the prestation."""
    p = dossiers.en_cours(copie_envoyee=True)
    ecart = ligne(p, TypeEcheance.ECART_ENTRETIENS)
    assert ecart.due_le == minuit(jour(16))
    Suspension.objects.create(  # 5 days, recorded by hand
        prestation=p, motif=MotifSuspension.MALADIE, debut=jour(5), fin=jour(9), auteur=dossiers.referent.user
    )
    resultat = balayer_a(time_machine, minuit(jour(16)))
    assert resultat.transitions == 0
    assert recharger(p).etat == Etat.EN_COURS
    ecart.refresh_from_db()
    assert (ecart.etat, ecart.due_le) == (EtatEcheance.AVERTIE, minuit(jour(21)))
    assert ecart.alertes == [minuit(jour(16)), minuit(jour(19))]
    assert ecart.version_faits == version_de(p)  # vouched for again: the next sweeps trust it
    assert balayer_a(time_machine, minuit(jour(21))).transitions == 1
    assert recharger(p).etat == Etat.INTERROMPUE
