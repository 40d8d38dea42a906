"""The facts version of a case (``prestations.models.version``): the triggers that move it
cover exactly what the deadline rules read (``prestations.faits.RELATIONS``). A table the
rules read without its trigger would let the sweep trust stale rows silently."""

import pgtrigger

from prestations import faits
from prestations.models import Prestation, version


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
