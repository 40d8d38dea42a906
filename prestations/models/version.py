"""The facts version of a case (``Prestation.version_faits``), kept by PostgreSQL.

The deadline sweep trusts an ``Echeance`` row without reloading the case's facts while
the case's version is the one the row was computed at. The version must therefore move
whenever anything the rules read changes, whoever writes it (services, admin,
``QuerySet.update``, raw SQL): triggers declared here and on each model the rules read
(``prestations.faits.RELATIONS``; a test checks that the two sets are the same).

- ``version_du_dossier`` (on the case, before update): any change of the case's own
  columns, except its next deadline and its modification time, increments the version;
  the value the application writes is ignored.
- ``version_faits`` (on each fact table, after insert, update or delete): increments the
  version of the row's case (both cases if a row moves).
"""

from __future__ import annotations

import pgtrigger

#: Columns of the case whose change does not change what the rules say.
HORS_FAITS = "'{version_faits,prochaine_echeance,prochaine_echeance_libelle,modifie_le}'::text[]"

NOM = "version_faits"


def declencheur_du_dossier() -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="version_du_dossier",
        operation=pgtrigger.Update,
        when=pgtrigger.Before,
        func=f"""
            IF NEW.version_faits > OLD.version_faits
               OR (to_jsonb(NEW) - {HORS_FAITS}) IS DISTINCT FROM (to_jsonb(OLD) - {HORS_FAITS}) THEN
                NEW.version_faits := OLD.version_faits + 1;
            ELSE
                NEW.version_faits := OLD.version_faits;
            END IF;
            RETURN NEW;
        """,
    )


def declencheur_des_faits() -> pgtrigger.Trigger:
    """The trigger a model the rules read declares (its table has a ``prestation_id``)."""
    return pgtrigger.Trigger(
        name=NOM,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        when=pgtrigger.After,
        func="""
            IF TG_OP <> 'INSERT' THEN
                UPDATE prestations_prestation SET version_faits = version_faits + 1 WHERE id = OLD.prestation_id;
            END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.prestation_id IS DISTINCT FROM OLD.prestation_id) THEN
                UPDATE prestations_prestation SET version_faits = version_faits + 1 WHERE id = NEW.prestation_id;
            END IF;
            RETURN NULL;
        """,
    )
