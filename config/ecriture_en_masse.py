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

import datetime
from typing import NamedTuple

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.utils import timezone


def _litteral_tableau(valeurs) -> str | None:
    if valeurs is None:
        return None
    return "{" + ",".join(_chaine(str(v)) for v in valeurs) + "}"


def _chaine(valeur: str) -> str:
    return '"' + valeur.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: How an element of each simple type is written in an array literal (the first class
#: the value is an instance of: ``bool`` before ``int``, ``datetime`` before ``date``).
_ELEMENTS = (
    (bool, lambda v: "t" if v else "f"),
    (int, int.__repr__),
    (str, _chaine),
    (datetime.datetime, datetime.datetime.isoformat),  # aware: with its UTC offset
    (datetime.date, datetime.date.isoformat),
)


def _parametre_tableau(valeurs: list):
    """A column's values as the parameter of its array: for values of one simple type,
    the array's text literal, written here in one pass (the driver's generic list
    adapter costs several times more per element, thousands of times per sweep);
    anything else as the list, for the driver to adapt."""
    ecritures = {
        next((e for base, e in _ELEMENTS if issubclass(classe, base)), None)
        for classe in {type(v) for v in valeurs if v is not None}
    }
    if len(ecritures) != 1 or None in ecritures:
        return valeurs
    (ecrire,) = ecritures
    return "{" + ",".join("NULL" if v is None else ecrire(v) for v in valeurs) + "}"


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


def _colonne(champ, valeurs: list, *, variable: bool = False, constante: bool | None = None) -> _Colonne:
    """The column of ``champ`` holding ``valeurs`` (prepared values, one per row): sent as
    one value if it is the same on every row (or if ``constante``), unless ``variable``."""
    type_sql = champ.db_type(connection)
    if isinstance(champ, ArrayField):
        valeurs, type_tableau = [_litteral_tableau(v) for v in valeurs], "text[]"
    else:
        type_tableau = f"{type_sql}[]"
    if constante is None:
        constante = not variable and _constante(valeurs)
    return _Colonne(champ.column, type_sql, type_tableau, valeurs[:1] if constante else valeurs, constante)


def _colonnes(champs, objets, *, ajout: bool, variables: tuple = ()) -> list[_Colonne]:
    """For each field: its column, its SQL type and the array of its prepared values (or
    the one value of a column that has the same on every row, unless the field is in
    ``variables``)."""
    colonnes = [_colonne(champ, _valeurs(champ, objets, ajout), variable=champ in variables) for champ in champs]
    return _au_moins_un_tableau(colonnes, len(objets))


def _au_moins_un_tableau(colonnes: list[_Colonne], nombre: int) -> list[_Colonne]:
    if all(c.constante for c in colonnes):  # unnest needs one array
        premiere = colonnes[0]
        colonnes[0] = premiere._replace(valeurs=premiere.valeurs * nombre, constante=False)
    return colonnes


def _tableaux(colonnes: list[_Colonne], qn) -> tuple[str, str, list]:
    """``unnest(…) AS v(…)`` of the columns sent as arrays, and their parameters."""
    tableaux = [c for c in colonnes if not c.constante]
    sql = (
        f"unnest({', '.join(f'%s::{c.type_tableau}' for c in tableaux)}) AS v({', '.join(qn(c.nom) for c in tableaux)})"
    )
    return sql, [_parametre_tableau(c.valeurs) for c in tableaux]


def _constantes(colonnes: list[_Colonne]) -> list:
    return [c.valeurs[0] for c in colonnes if c.constante]


def inserer(modele, objets: list, *, ignorer_conflits: bool = False) -> None:
    """``INSERT`` of ``objets`` (unsaved instances of ``modele``) in one statement; with
    ``ignorer_conflits``, a row that breaks a unique constraint is skipped, as
    ``bulk_create(ignore_conflicts=True)``. The instances get no primary key."""
    if not objets:
        return
    meta = modele._meta
    champs = [f for f in meta.concrete_fields if f is not meta.auto_field]
    _inserer(modele, _colonnes(champs, objets, ajout=True), ignorer_conflits)


def inserer_colonnes(modele, valeurs: dict[str, list | tuple], *, ignorer_conflits: bool = False) -> None:
    """``INSERT`` of rows given column by column, without building an instance per row:
    ``valeurs`` maps a field's attribute name (``destinataire_id`` for a foreign key) to
    its values, one per row, as the driver takes them. Every other field takes its
    default, computed once for the statement (``auto_now_add``: the time of the
    statement). With ``ignorer_conflits``, as ``inserer``."""
    nombres = {len(v) for v in valeurs.values()}
    if len(nombres) != 1:
        raise ValueError(f"Colonnes de longueurs différentes : {sorted(nombres)}")
    (nombre,) = nombres
    if not nombre:
        return
    meta = modele._meta
    inconnus = set(valeurs) - {f.attname for f in meta.concrete_fields}
    if inconnus:
        raise ValueError(f"Champs inconnus de {meta.label} : {sorted(inconnus)}")
    colonnes = []
    for champ in meta.concrete_fields:
        if champ is meta.auto_field:
            continue
        if champ.attname in valeurs:
            donnees = valeurs[champ.attname]
            if not isinstance(champ, _SANS_PREPARATION) or isinstance(champ, ArrayField):
                donnees = [champ.get_db_prep_save(v, connection) for v in donnees]
            colonnes.append(_colonne(champ, list(donnees)))
        else:
            if getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False):
                defaut = timezone.now()
            else:
                defaut = champ.get_db_prep_save(champ.get_default(), connection)
            colonnes.append(_colonne(champ, [defaut], constante=True))
    _inserer(modele, _au_moins_un_tableau(colonnes, nombre), ignorer_conflits)


def _inserer(modele, colonnes: list[_Colonne], ignorer_conflits: bool) -> None:
    qn = connection.ops.quote_name
    noms = ", ".join(qn(c.nom) for c in colonnes)
    expressions = ", ".join(c.expression(qn) for c in colonnes)
    source, tableaux = _tableaux(colonnes, qn)
    with connection.cursor() as curseur:
        curseur.execute(
            f"INSERT INTO {qn(modele._meta.db_table)} ({noms}) SELECT {expressions} FROM {source}"
            + (" ON CONFLICT DO NOTHING" if ignorer_conflits else ""),
            _constantes(colonnes) + tableaux,
        )


def mettre_a_jour(modele, objets: list, champs: list[str] | None = None, *, relire: str | None = None) -> dict:
    """``save(update_fields=champs)`` of many saved instances in one ``UPDATE`` (every
    concrete field when ``champs`` is None; ``auto_now`` fields are always written).
    With ``relire`` (a field name), returns that field's value in each row as written,
    triggers included (primary key → value); else an empty dict."""
    if not objets:
        return {}
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
    retour = f" RETURNING t.{pk}, t.{qn(meta.get_field(relire).column)}" if relire else ""
    with connection.cursor() as curseur:
        curseur.execute(
            f"UPDATE {qn(meta.db_table)} AS t SET {affectations} FROM {source} WHERE t.{pk} = v.{pk}{retour}",
            _constantes(colonnes[1:]) + tableaux,
        )
        return dict(curseur.fetchall()) if relire else {}
