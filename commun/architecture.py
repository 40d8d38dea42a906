"""A contract for import-linter (``make lint``): no import cycle between modules.

import-linter's own ``acyclic_siblings`` looks at packages: it would flag
``prestations.suivi`` and ``prestations.echeances`` as a cycle, although their modules
import in one direction (the sweep, ``echeances.balayage``, calls the workflow, which
writes through ``echeances.ecriture``). This contract looks at the modules themselves,
imports inside functions included: any strongly connected group of two or more modules
breaks it, and each group is printed with one of its import chains.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class ModulesSansCycle(Contract):
    type_name = "modules_sans_cycle"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        modules = {m for m in graph.modules if m.split(".")[0] in self.packages}
        cycles = _composantes(modules, lambda m: graph.find_modules_directly_imported_by(m) & modules)
        cycles = [sorted(c) for c in cycles if len(c) > 1]
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(f"Cycle between {len(cycle)} modules: {', '.join(cycle)}")
            output.new_line()


def _composantes(sommets: set[str], voisins) -> list[set[str]]:
    """Tarjan's strongly connected components, iterative (no recursion limit)."""
    index, bas, pile, sur_pile, resultat = {}, {}, [], set(), []
    compteur = 0
    for depart in sorted(sommets):
        if depart in index:
            continue
        travail = [(depart, iter(sorted(voisins(depart))))]
        index[depart] = bas[depart] = compteur
        compteur += 1
        pile.append(depart)
        sur_pile.add(depart)
        while travail:
            sommet, suivants = travail[-1]
            avance = False
            for voisin in suivants:
                if voisin not in index:
                    index[voisin] = bas[voisin] = compteur
                    compteur += 1
                    pile.append(voisin)
                    sur_pile.add(voisin)
                    travail.append((voisin, iter(sorted(voisins(voisin)))))
                    avance = True
                    break
                if voisin in sur_pile:
                    bas[sommet] = min(bas[sommet], index[voisin])
            if avance:
                continue
            travail.pop()
            if travail:
                parent = travail[-1][0]
                bas[parent] = min(bas[parent], bas[sommet])
            if bas[sommet] == index[sommet]:
                composante = set()
                while True:
                    element = pile.pop()
                    sur_pile.discard(element)
                    composante.add(element)
                    if element == sommet:
                        break
                resultat.append(composante)
    return resultat
