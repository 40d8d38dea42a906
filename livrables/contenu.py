"""A document's content, as structured data validated per kind (LIV-05).

``Livrable.contenu`` holds:

- ``rubriques``: the sections of the kind (``documents.rubriques``), each
  ``{"titre": …, "texte": …}``, written by the référent from a pre-filled draft;
- ``dossier``: a snapshot of the case the document shows (parties and their contact
  details, dispositif and dates, phases, entretiens, périodes en entreprise, actions of
  the parcours, sortie, and for the bilans the feuille d'émargement of the period),
  taken when the draft is saved and frozen when it is submitted for signature: the
  signed document shows what was signed, whatever happens to the case afterwards.

``pre_remplir`` drafts the sections from the case; ``valider`` checks a content against
its kind (``complet``: every section written, as required before signing).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from commun.bornes import valider_texte
from livrables import documents
from livrables.emargement import lignes_de_la_feuille
from prestations import faits
from prestations.models import NatureAction, StatutAction

LONGUEUR_RUBRIQUE = 6000


def _date(jour) -> str:
    return f"{jour:%d/%m/%Y}" if jour else ""


def _organisation(org) -> dict:
    return {"nom": org.nom, "siret": org.siret, "adresse": org.adresse, "email": org.email_contact}


def instantane(prestation, type_: str, le=None) -> dict:
    """The case as the document shows it, now (JSON: every value a string, number or list)."""
    le = le or timezone.localdate()
    ldc = prestation.lettre_de_commande
    marche = ldc.marche
    b = ldc.beneficiaire
    regle = prestation.regle
    referent = prestation.referent
    progression = {p.cle: p for p in faits.progression_phases(prestation)}
    dossier = {
        "edite_le": _date(le),
        "numero": ldc.numero,
        "dispositif": regle.libelle,
        "regles_version": ldc.regle_version,
        "date_debut": _date(prestation.date_debut),
        "date_fin": _date(prestation.date_fin),
        "contractualisee_le": _date(prestation.contractualisee_le),
        "etat": prestation.get_etat_display(),
        "phase": prestation.phase_regle.libelle if prestation.phase_regle else "",
        "prestataire": _organisation(marche.prestataire),
        "prescripteur": {
            **_organisation(ldc.organisation_prescriptrice),
            "conseiller": str(ldc.prescripteur),
            "conseiller_email": ldc.prescripteur.email,
        },
        "financeur": _organisation(marche.financeur),
        "marche": {"reference": marche.reference, "intitule": marche.intitule},
        "referent": {"nom": str(referent) if referent else "", "email": referent.email if referent else ""},
        "beneficiaire": {
            "nom": b.nom_complet,
            "date_naissance": _date(b.date_naissance),
            "identifiant_ft": b.identifiant_ft,
            "adresse": b.adresse,
            "commune": " ".join(x for x in ((b.commune.codes_postaux or [""])[0], b.commune.nom) if x),
            "email": b.email,
            "telephone": b.telephone,
            "projet": b.projet_professionnel,
            "code_rome": b.code_rome,
        },
        "phases": [
            {
                "libelle": p.libelle,
                "description": p.description,
                "entretiens": progression[p.cle].entretiens,
                "minimum": p.entretiens_individuels_min,
                "courante": progression[p.cle].courante,
            }
            for p in regle.phases
        ],
        "entretiens": [
            {
                "date": f"{timezone.localtime(e.debut):%d/%m/%Y %H:%M}",
                "duree": e.duree_minutes,
                "type": e.get_type_display(),
                "modalite": e.get_modalite_display(),
                "phase": _libelle_phase(regle, e.phase),
                "presence": e.get_presence_display(),
            }
            for e in sorted(prestation.entretiens.all(), key=lambda e: e.debut)
        ],
        "periodes": [
            {
                "entreprise": p.entreprise,
                "siret": p.siret,
                "du": _date(p.debut),
                "au": _date(p.fin),
                "tuteur": p.tuteur,
                "objectif": p.objectif,
            }
            for p in prestation.periodes_entreprise.all()
        ],
        "actions": [
            {
                "nature": a.get_nature_display(),
                "libelle": a.libelle,
                "du": _date(a.date_debut),
                "au": _date(a.date_fin),
                "intervenant": a.intervenant,
                "cout": f"{a.cout} €" if a.cout is not None else "",
                "aides": a.aides_mobilisables,
                "statut": a.get_statut_display(),
            }
            for a in prestation.actions.all()
        ],
        "sortie": _sortie(prestation),
    }
    if type_ in documents.AVEC_FEUILLE_D_EMARGEMENT:
        dossier["feuille"] = lignes_de_la_feuille(prestation, au=le)
    if type_ == documents.LETTRE_DE_COMMANDE:
        dossier["lettre"] = {
            "emise_le": _date(timezone.localdate(ldc.emise_le)),
            "accord_recueilli_le": f"{timezone.localtime(ldc.accord_recueilli_le):%d/%m/%Y à %H:%M}",
            "motivation": ldc.motivation,
            "prix_unitaire_ht": f"{marche.prix_unitaire_ht} €",
            "taux_tva": f"{marche.taux_tva} %",
        }
    return dossier


def _libelle_phase(regle, cle) -> str:
    return next((p.libelle for p in regle.phases if p.cle == cle), cle)


def _sortie(prestation) -> dict | None:
    sortie = getattr(prestation, "sortie", None)
    if sortie is None:
        return None
    return {
        "type": sortie.get_type_display(),
        "date": _date(sortie.date_sortie),
        "positive": sortie.positive,
        "explication": sortie.explication,
        "employeur": sortie.employeur,
    }


# --- Pre-filled sections: each kind's sections drafted from the case -------------------


def _liste(lignes) -> str:
    return "\n".join(f"– {ligne}" for ligne in lignes if ligne)


def _actions(prestation, *natures, statuts=None) -> list[str]:
    resultat = []
    for a in prestation.actions.all():
        if natures and a.nature not in natures:
            continue
        if statuts and a.statut not in statuts:
            continue
        dates = f" ({_date(a.date_debut)}{' – ' + _date(a.date_fin) if a.date_fin else ''})" if a.date_debut else ""
        cout = f", coût {a.cout} €, aides : {a.aides_mobilisables}" if a.cout is not None else ""
        resultat.append(f"{a.libelle}{dates}{cout} – {a.get_statut_display().lower()}")
    return resultat


def _periodes(prestation) -> list[str]:
    return [
        f"Période en entreprise chez {p.entreprise} du {_date(p.debut)} au {_date(p.fin)}"
        + (f" : {p.objectif}" if p.objectif else "")
        for p in prestation.periodes_entreprise.all()
    ]


def _pistes(prestation) -> list[str]:
    b = prestation.lettre_de_commande.beneficiaire
    pistes = []
    if b.projet_professionnel:
        pistes.append(
            f"Projet professionnel : {b.projet_professionnel}" + (f" (ROME {b.code_rome})" if b.code_rome else "")
        )
    pistes += [f"{p.entreprise} (période en entreprise)" for p in prestation.periodes_entreprise.all()]
    return pistes


def _entretiens(prestation) -> str:
    tenus = faits.entretiens_tenus(prestation)
    if not tenus:
        return ""
    pluriel = "s" if len(tenus) > 1 else ""
    return f"{len(tenus)} entretien{pluriel} tenu{pluriel} depuis le {_date(tenus[0].jour)}."


def _deroule(prestation) -> str:
    regle = prestation.regle
    lignes = [f"{p.libelle} : {p.description}" for p in regle.phases if p.description]
    duree = f"du {_date(prestation.date_debut)} au {_date(prestation.date_fin)}" if prestation.date_fin else ""
    tete = f"{regle.libelle}{', ' + duree if duree else ''}."
    return tete + "\n" + _liste(lignes)


def _engagements(prestation) -> str:
    regle = prestation.regle
    lignes = [
        "Le bénéficiaire s'engage à participer aux entretiens et actions convenus "
        "et à prévenir le référent de toute absence."
    ]
    if regle.cadence_entretiens:
        c = regle.cadence_entretiens
        lignes.append(
            f"Un entretien individuel en présentiel d'au moins {c.duree_min_minutes} minutes "
            f"a lieu chaque semaine ({c.regle})."
        )
    if regle.ecart_entretiens:
        lignes.append(
            f"Plus de {regle.ecart_entretiens.max_jours} jours sans entretien mettent fin à la prestation "
            f"({regle.ecart_entretiens.regle})."
        )
    lignes.append(
        "Le prestataire s'engage à accompagner le bénéficiaire selon le déroulement ci-dessus, à tenir le prescripteur "
        "informé et à lui transmettre les bilans prévus."
    )
    return _liste(lignes)


def _sortie_texte(prestation) -> str:
    sortie = getattr(prestation, "sortie", None)
    if sortie is None:
        return ""
    return f"{sortie.get_type_display()} le {_date(sortie.date_sortie)}. {sortie.explication}"


EN_COURS = (StatutAction.PREVUE, StatutAction.EN_COURS)

#: For each kind, one function per section (same order as ``documents.rubriques``).
PRE_REMPLISSAGE = {
    "contrat_accompagnement": (_deroule, _engagements),
    "bilan_intermediaire": (
        lambda p: "\n".join(x for x in (_entretiens(p), _liste(_actions(p) + _periodes(p))) if x),
        lambda p: _liste(_pistes(p)),
    ),
    "bilan_final": (
        lambda p: "\n".join(x for x in (_sortie_texte(p), _entretiens(p), _liste(_periodes(p))) if x),
        lambda p: _liste(_actions(p, statuts=EN_COURS)),
        lambda p: _liste(_actions(p, statuts=EN_COURS)),
    ),
    "synthese_bilan_competences": (
        lambda p: "",
        lambda p: _liste(_pistes(p)),
        lambda p: _liste(_periodes(p)),
        lambda p: p.lettre_de_commande.beneficiaire.projet_professionnel,
        lambda p: _liste(_actions(p)),
    ),
    "rapport_positionnement_initial": (lambda p: "", lambda p: "", lambda p: ""),
    "carnet_de_suivi": (
        lambda p: _liste(_actions(p)),
        lambda p: _liste(_actions(p, NatureAction.SERVICE_PAYANT)),
    ),
    "rapport_positionnement_final": (
        lambda p: _sortie_texte(p),
        lambda p: _liste(_actions(p, statuts=(StatutAction.REALISEE,))),
        lambda p: "",
    ),
    "diagnostic_mobilite": (
        lambda p: "",
        lambda p: p.lettre_de_commande.beneficiaire.projet_professionnel,
        lambda p: "",
    ),
    "bilan_parcours_mobilite": (
        lambda p: _liste(_actions(p, statuts=(StatutAction.REALISEE,))),
        lambda p: "",
        lambda p: _liste(_actions(p, statuts=EN_COURS)),
    ),
    "fiche_niveau_1": (lambda p: "", lambda p: "", lambda p: "", lambda p: "", lambda p: ""),
    "document_synthese": (
        lambda p: _entretiens(p),
        lambda p: p.lettre_de_commande.beneficiaire.projet_professionnel,
        lambda p: "",
        lambda p: _liste(_actions(p, NatureAction.ETAPE, NatureAction.OBJECTIF_INTERMEDIAIRE)),
        lambda p: _liste(_actions(p, NatureAction.ACTION)),
        lambda p: _liste(_actions(p, NatureAction.DISPOSITIF)),
        lambda p: _liste(_actions(p, NatureAction.DEMARCHE_PERSONNELLE)),
        lambda p: _liste(_actions(p, NatureAction.FINANCEMENT)),
        lambda p: _liste(_actions(p, statuts=EN_COURS)),
        lambda p: "",
    ),
}


def pre_remplir(prestation, type_: str) -> list[str]:
    """The sections of a new draft, drafted from the case (empty where the case says nothing)."""
    fonctions = PRE_REMPLISSAGE.get(type_, ())
    return [(f(prestation) or "").strip()[:LONGUEUR_RUBRIQUE] for f in fonctions]


def rubriques(type_: str, textes: list[str]) -> list[dict]:
    return [{"titre": titre, "texte": texte} for titre, texte in zip(documents.rubriques(type_), textes, strict=True)]


def textes(contenu: dict) -> list[str]:
    return [r.get("texte", "") for r in contenu.get("rubriques", [])]


def valider(type_: str, contenu: dict, *, complet: bool) -> None:
    """The content matches its kind: its sections in order, texts within bounds, and (when
    ``complet``) every section written. Errors per section (``rubrique_<n>``)."""
    if type_ not in documents.TYPES:
        raise ValidationError({"type": "Ce document n'existe pas."})
    attendus = documents.rubriques(type_)
    recues = contenu.get("rubriques", [])
    if not isinstance(recues, list) or [r.get("titre") for r in recues if isinstance(r, dict)] != list(attendus):
        raise ValidationError({"rubriques": f"Ce document a {len(attendus)} rubrique(s), dans l'ordre prévu."})
    erreurs = {}
    for index, rubrique in enumerate(recues):
        texte = rubrique.get("texte", "")
        cle = f"rubrique_{index}"
        if not isinstance(texte, str):
            erreurs[cle] = "Texte attendu."
            continue
        if len(texte) > LONGUEUR_RUBRIQUE:
            erreurs[cle] = f"{LONGUEUR_RUBRIQUE} caractères au plus (actuellement {len(texte)})."
            continue
        try:
            valider_texte(texte)
        except ValidationError as e:
            erreurs[cle] = e.messages[0]
            continue
        if complet and not texte.strip():
            erreurs[cle] = "Rédigez cette rubrique avant de demander les signatures."
    if not isinstance(contenu.get("dossier"), dict):
        erreurs["dossier"] = "L'instantané du dossier manque."
    if erreurs:
        raise ValidationError(erreurs)
