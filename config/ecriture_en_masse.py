"""Many rows written in one statement whose size does not grow with the number of rows.

Django's ``bulk_create`` and ``bulk_update`` send one placeholder per value: thousands
of rows make statements of tens of thousands of parameters, which the driver must split
and bind one by one (the deadline sweep writes thousands of notices and échéance rows at
midnight). Here each column travels as one PostgreSQL array, unpacked by ``unnest``:
a handful of parameters whatever the number of rows.

Values are prepared as ``save()`` does: ``auto_now`` / ``auto_now_add`` set to the time
of the statement (on the instances too), defaults by the model's constructor, and any
field the driver cannot take as it is (JSON, decimals…) by its ``get_db_prep_save``. An
array column (``ArrayField``) travels as text literals, cast back. A column with the same
value on every row (a state, a flag, a time) travels as that one value.
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.utils import timezone


def _litteral_tableau(valeurs) -> str | None:
    if valeurs is None:
        return None
    elements = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in valeurs)
    return "{" + ",".join(elements) + "}"


#: Fields whose Python value the driver adapts as it is: no preparation by the field
#: (``get_db_prep_save`` per value is most of the cost of a write of thousands of rows).
_SANS_PREPARATION = (
    models.BooleanField,
    models.CharField,
    models.DateField,  # DateTimeField included: the platform only holds aware datetimes
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
)


def _valeurs(champ, objets, ajout: bool) -> list:
    if getattr(champ, "auto_now", False) or (ajout and getattr(champ, "auto_now_add", False)):
        maintenant = timezone.now()  # one time for the whole statement, as the database's now()
        for objet in objets:
            setattr(objet, champ.attname, maintenant)
        return [maintenant] * len(objets)
    if isinstance(champ, _SANS_PREPARATION) and not isinstance(champ, ArrayField):
        attribut = champ.attname
        return [getattr(o, attribut) for o in objets]
    return [champ.get_db_prep_save(champ.pre_save(o, ajout), connection) for o in objets]


class _Colonne(NamedTuple):
    nom: str
    type_sql: str
    type_tableau: str
    valeurs: list
    constante: bool  # the same value on every row: sent once, not as an array

    def expression(self, qn) -> str:
        """The column's value in the statement: its parameter, or the unpacked array's."""
        if self.constante:
            return f"%s::{self.type_sql}"
        return f"v.{qn(self.nom)}::{self.type_sql}"


def _constante(valeurs: list) -> bool:
    premiere = valeurs[0]
    return len(valeurs) > 1 and all(v == premiere and type(v) is type(premiere) for v in valeurs)


def _colonnes(champs, objets, *, ajout: bool, variables: tuple = ()) -> list[_Colonne]:
    """For each field: its column, its SQL type and the array of its prepared values (or
    the one value of a column that has the same on every row, unless the field is in
    ``variables``)."""
    colonnes = []
    for champ in champs:
        type_sql = champ.db_type(connection)
        valeurs = _valeurs(champ, objets, ajout)
        if isinstance(champ, ArrayField):
            valeurs, type_tableau = [_litteral_tableau(v) for v in valeurs], "text[]"
        else:
            type_tableau = f"{type_sql}[]"
        constante = champ not in variables and _constante(valeurs)
        colonnes.append(
            _Colonne(champ.column, type_sql, type_tableau, valeurs[:1] if constante else valeurs, constante)
        )
    if all(c.constante for c in colonnes):  # unnest needs one array
        premiere = colonnes[0]
        colonnes[0] = premiere._replace(valeurs=premiere.valeurs * len(objets), constante=False)
    return colonnes


def _tableaux(colonnes: list[_Colonne], qn) -> tuple[str, str, list]:
    """``unnest(…) AS v(…)`` of the columns sent as arrays, and their parameters."""
    tableaux = [c for c in colonnes if not c.constante]
    sql = (
        f"unnest({', '.join(f'%s::{c.type_tableau}' for c in tableaux)}) AS v({', '.join(qn(c.nom) for c in tableaux)})"
    )
    return sql, [c.valeurs for c in tableaux]


def _constantes(colonnes: list[_Colonne]) -> list:
    return [c.valeurs[0] for c in colonnes if c.constante]


def inserer(modele, objets: list, *, ignorer_conflits: bool = False) -> None:
    """``INSERT`` of ``objets`` (unsaved instances of ``modele``) in one statement; with
    ``ignorer_conflits``, a row that breaks a unique constraint is skipped, as
    ``bulk_create(ignore_conflicts=True)``. The instances get no primary key."""
    if not objets:
        return
    meta, qn = modele._meta, connection.ops.quote_name
    champs = [f for f in meta.concrete_fields if f is not meta.auto_field]
    colonnes = _colonnes(champs, objets, ajout=True)
    noms = ", ".join(qn(c.nom) for c in colonnes)
    valeurs = ", ".join(c.expression(qn) for c in colonnes)
    source, tableaux = _tableaux(colonnes, qn)
    with connection.cursor() as curseur:
        curseur.execute(
            f"INSERT INTO {qn(meta.db_table)} ({noms}) SELECT {valeurs} FROM {source}"
            + (" ON CONFLICT DO NOTHING" if ignorer_conflits else ""),
            _constantes(colonnes) + tableaux,
        )


def mettre_a_jour(modele, objets: list, champs: list[str] | None = None) -> None:
    """``save(update_fields=champs)`` of many saved instances in one ``UPDATE`` (every
    concrete field when ``champs`` is None; ``auto_now`` fields are always written)."""
    if not objets:
        return
    meta, qn = modele._meta, connection.ops.quote_name
    a_ecrire = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and (champs is None or f.name in champs or getattr(f, "auto_now", False))
    ]
    colonnes = _colonnes([meta.pk, *a_ecrire], objets, ajout=False, variables=(meta.pk,))
    affectations = ", ".join(f"{qn(c.nom)} = {c.expression(qn)}" for c in colonnes[1:])
    source, tableaux = _tableaux(colonnes, qn)
    pk = qn(meta.pk.column)
    with connection.cursor() as curseur:
        curseur.execute(
            f"UPDATE {qn(meta.db_table)} AS t SET {affectations} FROM {source} WHERE t.{pk} = v.{pk}",
            _constantes(colonnes[1:]) + tableaux,
        )
