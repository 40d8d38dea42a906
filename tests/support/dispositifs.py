"""The rule sets the catalogue tests read, at the versions in force in 2026."""

from prestations.dispositifs import regle

MOV = regle("MOV", "2010-08")
BCA = regle("BCA", "2001-07")
BAM = regle("BAM", "2021-08")
PMA = regle("PMA", "2022")
CEP = regle("CEP", "2019-03")
