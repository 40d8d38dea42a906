"""Seeding of the benchmark database (``make bench``): set-based SQL, then the engine.

One million prestations (MOV), about 10 % open, with what the deadline engine reads:
organisations, users, memberships, 20 marchés, 100 000 bénéficiaires (each with ten
lettres de commande over the years), the lettres de commande, the prestations, and for
the open cases their entretiens, suspensions, périodes en entreprise, deliverables and
contract notices. All of it is plain SQL (``INSERT … SELECT … FROM generate_series``),
every value derived from the row number through ``hashint8`` (no ``random()``): the
data set is the same at every seeding. Triggers (pghistory, foreign keys) are off for
the seeding session (``session_replication_role = replica``): the rows are consistent
by construction.

The échéance rows of the open cases are then written with the engine's own rules
(``prestations.echeances.regles.obligations``, by batches, written with ``COPY``) as the sweeps
up to ``AVANT`` (23:55 the day before) left them: warnings whose time had come sent,
due times passed breached, the rest waiting. The benchmark sweeps at ``MAINTENANT``
(00:05): the rows whose next action falls at midnight are due.
"""

from __future__ import annotations

import datetime
import time
from zoneinfo import ZoneInfo

#: The benchmark day: the sweep runs at 00:05 on that day (Europe/Paris), the previous
#: one ran at 23:55 the day before.
JOUR = datetime.date(2026, 3, 10)
MAINTENANT = datetime.datetime.combine(JOUR, datetime.time(0, 5), tzinfo=ZoneInfo("Europe/Paris"))
AVANT = MAINTENANT - datetime.timedelta(minutes=10)
PRESTATIONS = 1_000_000
BENEFICIAIRES = 100_000
#: Bump when the generated data changes: an older seeded database is rebuilt.
VERSION = "5"

_J = f"DATE '{JOUR.isoformat()}'"

PREPARATION = [
    "SET session_replication_role = replica",
    "SET synchronous_commit = off",
    "SET work_mem = '256MB'",
    "SET maintenance_work_mem = '512MB'",
    # Midnight in Europe/Paris of a day (DST-safe), like prestations.echeances.regles.minuit.
    """CREATE OR REPLACE FUNCTION pg_temp.minuit(d date) RETURNS timestamptz LANGUAGE sql IMMUTABLE
       AS $$ SELECT (d::timestamp AT TIME ZONE 'Europe/Paris') $$""",
    # 10:00 in Europe/Paris of a day: the time of the seeded entretiens.
    """CREATE OR REPLACE FUNCTION pg_temp.a_10h(d date) RETURNS timestamptz LANGUAGE sql IMMUTABLE
       AS $$ SELECT ((d + TIME '10:00') AT TIME ZONE 'Europe/Paris') $$""",
    # A deterministic pseudo-random number in 0..9999 for (row, draw).
    """CREATE OR REPLACE FUNCTION pg_temp.h(n bigint, tirage int) RETURNS int LANGUAGE sql IMMUTABLE
       AS $$ SELECT (hashint8(n * 64 + tirage) & 2147483647) % 10000 $$""",
    # prestations.dispositifs.calendrier.fin_de_periode_mois
    """CREATE OR REPLACE FUNCTION pg_temp.fpm(d date, mois int) RETURNS date LANGUAGE sql IMMUTABLE
       AS $$ SELECT CASE WHEN extract(day FROM (d + make_interval(months => mois))) <> extract(day FROM d)
                         THEN (d + make_interval(months => mois))::date
                         ELSE (d + make_interval(months => mois))::date - 1 END $$""",
]

REFERENTIEL = [
    # 1 financeur, 20 prestataires (2..21), 50 prescripteurs (22..71).
    """INSERT INTO comptes_organisation (id, type, nom, siret, adresse, email_contact, active)
       SELECT n,
              CASE WHEN n = 1 THEN 'financeur' WHEN n <= 21 THEN 'prestataire' ELSE 'prescripteur' END,
              CASE WHEN n = 1 THEN 'France Travail – Direction régionale (banc d''essai)'
                   WHEN n <= 21 THEN 'Prestataire ' || (n - 1)
                   ELSE 'France Travail – Agence ' || (n - 21) END,
              '9' || lpad(n::text, 13, '0'), '', '', true
       FROM generate_series(1, 71) n""",
    """INSERT INTO comptes_organisation_departements (organisation_id, departement_id)
       SELECT n, '03' FROM generate_series(1, 71) n""",
    # Users 1..500 prescripteurs (10 per agency), 501..900 référents (20 per
    # prestataire), 901..940 responsables (2 per prestataire).
    """INSERT INTO comptes_user (id, password, last_login, is_superuser, email, first_name, last_name,
                                 is_active, is_staff, date_joined)
       SELECT n, '!', NULL, false,
              CASE WHEN n <= 500 THEN 'prescripteur' WHEN n <= 900 THEN 'referent' ELSE 'responsable' END
                || n || '@bench.prestations.test',
              'Prénom' || n, 'Nom' || n, true, false, now()
       FROM generate_series(1, 940) n""",
    """INSERT INTO comptes_membership (role, active, created_at, user_id, organisation_id)
       SELECT CASE WHEN n <= 500 THEN 'prescripteur' WHEN n <= 900 THEN 'referent' ELSE 'responsable' END,
              true, now(), n,
              CASE WHEN n <= 500 THEN 22 + (n - 1) / 10 WHEN n <= 900 THEN 2 + (n - 501) / 20
                   ELSE 2 + (n - 901) / 2 END
       FROM generate_series(1, 940) n""",
    """INSERT INTO prestations_marche (id, reference, intitule, dispositif, date_debut, date_fin, prix_unitaire_ht,
                                      taux_tva, duree_prestation_jours, echeancier, chevauchement_autorise, actif,
                                      financeur_id, prestataire_id)
       SELECT m, 'BENCH-MOV-' || lpad(m::text, 2, '0'), 'MOV Allier, lot ' || m, 'MOV', DATE '2019-01-01',
              DATE '2029-12-31', 1500, 20, NULL, '[]'::jsonb, true, true, 1, m + 1
       FROM generate_series(1, 20) m""",
    """INSERT INTO prestations_marche_departements (marche_id, departement_id)
       SELECT m, '03' FROM generate_series(1, 20) m""",
]

BENEFICIAIRES_SQL = f"""
    WITH communes AS (SELECT array_agg(code_insee ORDER BY code_insee) AS codes
                      FROM territoires_commune WHERE departement_id = '03'),
         noms AS (SELECT ARRAY['Martin','Bernard','Dubois','Thomas','Robert','Richard','Petit','Durand','Leroy',
                               'Moreau','Simon','Laurent','Lefebvre','Michel','Garcia','David','Bertrand','Roux',
                               'Vincent','Fournier'] AS n,
                         ARRAY['Camille','Lea','Manon','Chloe','Emma','Ines','Sarah','Julie','Laura','Marie',
                               'Lucas','Hugo','Louis','Nathan','Jules','Paul','Adam','Theo','Arthur','Leo'] AS p)
    INSERT INTO beneficiaires_beneficiaire (
        id, civilite, nom, prenom, nom_naissance, date_naissance, identifiant_ft, email, telephone, adresse, statut,
        categorie_demandeur, date_inscription_ft, niveau_francais, projet_professionnel, code_rome, projet_defini,
        accompagnateur_insertion, demarches_engagees, qpv, territoire_rural, cree_le, modifie_le, nom_normalise,
        prenom_normalise, nom_naissance_normalise, commune_id, cree_par_id, departement_id, organisation_id)
    SELECT b, CASE WHEN b % 20 < 10 THEN 'madame' ELSE 'monsieur' END,
           noms.n[1 + b % 20] || '-' || b, noms.p[1 + (b / 20) % 20], '', DATE '1965-01-01' + (b * 7) % 15000,
           lpad((b % 10000000)::text, 7, '0') || 'A', '', '', '', 'demandeur_emploi', 'A', NULL, 'inconnu', '', '',
           false, '', '', 'inconnu', 'inconnu', now(), now(), lower(noms.n[1 + b % 20]) || '-' || b,
           lower(noms.p[1 + (b / 20) % 20]), '', communes.codes[1 + b % cardinality(communes.codes)], NULL, '03',
           22 + b % 50
    FROM generate_series(1, {BENEFICIAIRES}) b, communes, noms
"""

# One row per prestation with everything the inserts below derive from it.
#   closed (9 in 10): ended between 2021 and 2025, nothing open left.
#   attente_referent / a_contractualiser (2.5 % of the open ones): started between 8 days
#   ago and in 13 days (MOV-03: warning on day 5, breach past day 7).
#   en_cours (86 %): contractualised 0..7 days after the start, up to 180 days ago; ``l``
#   is the last entretien, ``gn`` the net gap today (days without entretien, suspension
#   and période en entreprise days not counted: 1 to 9 for most, 10 to 15 for 0.75 %),
#   ``exc`` an optional suspension (maladie) or période right after ``l`` of
#   ``exc_jours`` days; 8 % renewed once (MOV-08).
#   suivi_emploi (9 %): back in a job since ``reprise`` (MOV-13).
STAGING = [
    "DROP TABLE IF EXISTS bench_p",
    f"""CREATE UNLOGGED TABLE bench_p AS
    WITH base AS (
        SELECT i, 1 + i % 20 AS m, 1 + (i * 37) % 500 AS pu,
               pg_temp.h(i, 1) AS u, pg_temp.h(i, 2) AS h2, pg_temp.h(i, 3) AS h3, pg_temp.h(i, 4) AS h4,
               pg_temp.h(i, 5) AS h5, pg_temp.h(i, 6) AS h6, pg_temp.h(i, 7) AS h7
        FROM generate_series(1, {PRESTATIONS}) i
    ), etats AS (
        SELECT *,
               CASE WHEN i % 10 <> 0 THEN CASE WHEN u < 6000 THEN 'terminee' WHEN u < 9000 THEN 'interrompue'
                                               ELSE 'refusee' END
                    WHEN u < 50 THEN 'attente_referent' WHEN u < 250 THEN 'a_contractualiser'
                    WHEN u < 9100 THEN 'en_cours' ELSE 'suivi_emploi' END AS etat
        FROM base
    ), dates AS (
        SELECT *,
               CASE WHEN etat IN ('terminee', 'interrompue', 'refusee') THEN {_J} - 200 - h2 % 1600
                    WHEN etat IN ('attente_referent', 'a_contractualiser') THEN {_J} - 8 + h2 % 22
                    WHEN etat = 'en_cours' AND h4 < 800 THEN {_J} - 150 - h2 % 31
                    WHEN etat = 'en_cours' THEN {_J} - 8 - h2 % 173
                    ELSE {_J} - 100 - h2 % 60 END AS debut,
               CASE WHEN h5 < 9925 THEN 1 + h5 % 9 WHEN h5 < 9945 THEN 10 WHEN h5 < 9955 THEN 11
                    WHEN h5 < 9965 THEN 12 WHEN h5 < 9980 THEN 13 WHEN h5 < 9990 THEN 14 ELSE 15 END AS gn,
               CASE WHEN h6 < 600 THEN 'maladie' WHEN h6 < 800 THEN 'periode' END AS exc,
               CASE WHEN h6 < 600 THEN 3 + h6 % 8 ELSE 7 + h6 % 8 END AS exc_long
        FROM etats
    ), suite AS (
        SELECT *,
               CASE WHEN etat NOT IN ('attente_referent', 'a_contractualiser') THEN debut + h3 % 8 END AS c,
               CASE WHEN etat = 'en_cours' AND h4 < 800 THEN 1 ELSE 0 END AS renouv
        FROM dates
    ), ecart AS (
        SELECT *,
               etat = 'en_cours' AND exc IS NOT NULL AND {_J} - gn - exc_long >= c AS exc_ok
        FROM suite
    )
    SELECT i, m, pu, 22 + (pu - 1) / 10 AS org_presc, benef_id, etat, debut, c, renouv, gn, h3, h4, h7,
           CASE WHEN renouv = 1 THEN pg_temp.fpm(debut + 180, 6) ELSE debut + 179 END AS fin,
           CASE WHEN etat = 'attente_referent' THEN NULL ELSE 501 + (m - 1) * 20 + (i / 20) % 20 END AS referent,
           CASE WHEN exc_ok THEN exc END AS exc,
           CASE WHEN exc_ok THEN exc_long ELSE 0 END AS exc_jours,
           CASE WHEN etat <> 'en_cours' THEN NULL
                WHEN exc_ok THEN {_J} - gn - exc_long ELSE greatest(c, {_J} - gn) END AS l,
           CASE WHEN etat = 'suivi_emploi' THEN {_J} - 1 - h4 % 91 END AS reprise,
           CASE etat WHEN 'terminee' THEN debut + 179 WHEN 'interrompue' THEN debut + 20 + h4 % 150
                     WHEN 'refusee' THEN c END AS terminee_le,
           -- MOV-10 due today and an entretien recorded yesterday without resynchronisation.
           etat = 'en_cours' AND gn IN (10, 13, 15) AND h7 % 10 = 0 AS perimee,
           -- LIV-01 / LIV-02: the day the deliverable is transmitted (late for one case in eight).
           pg_temp.fpm(debut, 2) - 5 + h7 % 8 AS bilan_intermediaire,
           CASE WHEN etat = 'suivi_emploi' THEN {_J} - 1 - h4 % 91 + h3 % 9 END AS bilan_final
    FROM ecart, LATERAL (SELECT 1 + ((i / 10) + (i % 10) * 10007) % {BENEFICIAIRES} AS benef_id) b""",
]

DOSSIERS = [
    """INSERT INTO prestations_lettredecommande (
           id, numero, dispositif, regle_version, date_debut, date_fin, accord_beneficiaire, accord_recueilli_le,
           motivation, avertissements, emise_le, beneficiaire_id, organisation_prescriptrice_id, prescripteur_id,
           marche_id)
       SELECT i, 'LDC-' || extract(year FROM debut - 3) || '-' || lpad(i::text, 7, '0'), 'MOV', '2010-08', debut,
              debut + 179, true, pg_temp.minuit(debut - 3) + interval '9 hours', '', '[]'::jsonb,
              pg_temp.minuit(debut - 3) + interval '9 hours', benef_id, org_presc, pu, m
       FROM bench_p""",
    f"""INSERT INTO prestations_prestation (
            id, etat, date_debut, date_fin, cree_le, modifie_le, lettre_de_commande_id, referent_id,
            contractualisee_le, contrat_signe, date_reprise, motif_fin, nombre_renouvellements, phase,
            prochaine_echeance, prochaine_echeance_libelle, terminee_le)
        SELECT i, etat, debut, fin, pg_temp.minuit(debut - 3) + interval '9 hours', now(), i, referent, c,
               CASE WHEN c IS NULL THEN NULL ELSE etat <> 'refusee' END, reprise,
               CASE etat WHEN 'terminee' THEN 'terme_sans_emploi' WHEN 'interrompue' THEN 'abandon'
                         WHEN 'refusee' THEN 'refus' ELSE '' END,
               renouv,
               CASE WHEN etat IN ('attente_referent', 'a_contractualiser', 'refusee') THEN ''
                    WHEN etat = 'suivi_emploi' THEN 'suivi_emploi'
                    WHEN etat = 'en_cours' AND {_J} - debut < 60 THEN 'phase_1' ELSE 'phase_2' END,
               NULL, '', terminee_le
        FROM bench_p""",
    # Entretiens of the open cases: the contractualisation one, then weekly (one in ten
    # missed, bénéficiaire absent) up to the last one ``l``; in suivi dans l'emploi, the
    # weekly ones before the job, then one in each follow-up window (one window in ten
    # missed, the current window's maybe not yet held).
    """CREATE TEMP TABLE bench_entretien AS
       SELECT p.i, p.referent, p.c AS jour, 'contractualisation' AS phase, 'present' AS presence
       FROM bench_p p WHERE p.etat IN ('en_cours', 'suivi_emploi')
       UNION ALL
       SELECT p.i, p.referent, p.l - 7 * n, CASE WHEN p.l - 7 * n - p.debut < 60 THEN 'phase_1' ELSE 'phase_2' END,
              CASE WHEN n > 0 AND pg_temp.h(p.i * 64 + n, 9) < 1000 THEN 'absent' ELSE 'present' END
       FROM bench_p p, generate_series(0, 40) n
       WHERE p.etat = 'en_cours' AND p.l - 7 * n > p.c
       UNION ALL
       SELECT p.i, p.referent, p.c + 7 * n, 'phase_1', 'present'
       FROM bench_p p, generate_series(1, 40) n
       WHERE p.etat = 'suivi_emploi' AND p.c + 7 * n < p.reprise""",
    """CREATE TEMP TABLE bench_fenetre AS
       SELECT p.i, p.referent, w.n, f.debut, f.fin,
              pg_temp.h(p.i * 4 + w.n, 8) >= 1000 AND least(f.debut + 2, f.fin) <= DATE '{jour_1}' AS tenu,
              least(f.debut + 2, f.fin) AS jour_entretien
       FROM bench_p p
       CROSS JOIN (VALUES (0), (1), (2), (3)) w(n)
       CROSS JOIN LATERAL (
           SELECT CASE w.n WHEN 0 THEN p.reprise WHEN 1 THEN p.reprise + 7
                           WHEN 2 THEN pg_temp.fpm(p.reprise, 1) + 1 ELSE pg_temp.fpm(p.reprise, 2) + 1 END AS debut,
                  CASE w.n WHEN 0 THEN p.reprise + 6 WHEN 1 THEN pg_temp.fpm(p.reprise, 1)
                           WHEN 2 THEN pg_temp.fpm(p.reprise, 2) ELSE pg_temp.fpm(p.reprise, 3) END AS fin
       ) f
       WHERE p.etat = 'suivi_emploi'""",
    """INSERT INTO bench_entretien SELECT i, referent, jour_entretien, 'suivi_emploi', 'present'
       FROM bench_fenetre WHERE tenu""",
    """INSERT INTO prestations_entretien (debut, duree_minutes, type, modalite, phase, presence, compte_rendu,
                                         toujours_en_emploi, cree_le, auteur_id, prestation_id, session_id)
       SELECT pg_temp.a_10h(jour), 45, 'individuel',
              CASE WHEN phase = 'suivi_emploi' THEN 'telephone' ELSE 'presentiel' END, phase, presence, '',
              CASE WHEN phase = 'suivi_emploi' THEN true END, pg_temp.a_10h(jour) + interval '1 hour', referent, i,
              NULL
       FROM bench_entretien ORDER BY i, jour""",
    # The neutralised days right after the last entretien (MOV-09, MOV-12), and for
    # one case in twenty an older suspension (congés) between two entretiens.
    """INSERT INTO prestations_suspension (motif, debut, fin, commentaire, cree_le, auteur_id, prestation_id)
       SELECT 'maladie', l + 1, l + exc_jours, '', pg_temp.a_10h(l + 1), referent, i
       FROM bench_p WHERE exc = 'maladie'
       UNION ALL
       SELECT 'conges', l - 13, l - 9, '', pg_temp.a_10h(l - 20), referent, i
       FROM bench_p WHERE etat = 'en_cours' AND h3 % 20 = 0 AND l - 14 > c""",
    """INSERT INTO prestations_periodeenentreprise (entreprise, siret, debut, fin, tuteur, tuteur_fonction,
                                                   tuteur_contact, objectif, cree_le, auteur_id, prestation_id)
       SELECT 'Entreprise ' || i, '9' || lpad((i % 10000000000000)::text, 13, '0'), l + 1, l + exc_jours,
              'Tuteur', '', '', '', pg_temp.a_10h(l), referent, i
       FROM bench_p WHERE exc = 'periode'""",
    # MOV-05 / LIV-01 / LIV-02: the documents transmitted before the benchmark day (deposited
    # signed on paper): the signed contract two hours after the contractualisation, the bilans.
    f"""INSERT INTO livrables_livrable (type, version, etat, origine, contenu, cree_le, modifie_le, motif_correction,
                                       fichier_a_signer, empreinte_a_signer, scan, fichier, nom_original, taille,
                                       empreinte, horodate, sans_signature, transmis_le, transmis_par_id,
                                       depose_par_id, prestation_id)
        SELECT type, 1, 'transmis', 'depot', '{{}}'::jsonb, pg_temp.a_10h(jour) + decalage,
               pg_temp.a_10h(jour) + decalage, '', '', '', '', 'livrables/' || i || '/' || type || '-v1.pdf',
               type || '.pdf', 120000, repeat('0', 64), false, false, pg_temp.a_10h(jour) + decalage, referent,
               referent, i
        FROM (SELECT i, referent, 'contrat_accompagnement' AS type, c AS jour, interval '3 hours' AS decalage
              FROM bench_p WHERE c IS NOT NULL AND etat <> 'refusee'
              UNION ALL
              SELECT i, referent, 'bilan_intermediaire', bilan_intermediaire, interval '4 hours' FROM bench_p
              WHERE etat IN ('en_cours', 'suivi_emploi')
              UNION ALL
              SELECT i, referent, 'bilan_final', bilan_final, interval '4 hours' FROM bench_p
              WHERE etat = 'suivi_emploi') l
        WHERE jour < {_J}""",
    # MOV-05: the copy of the contract, notified to the prescripteur (in-app and e-mail,
    # the e-mail sent a minute later): the engine reads it for the 48-hour clock.
    """INSERT INTO comptes_notification (canal, cle, sujet, corps, lien, due_le, envoyee_le, lue_le, tentatives,
                                        erreur, abandonnee, cree_le, destinataire_id, organisation_id, digest,
                                        obligatoire)
       SELECT canal, 'prestation:' || i || ':contrat_signe', 'Contrat d''accompagnement signé — LDC ' || i,
              'Le contrat d''accompagnement a été signé.', '/prestations/' || i || '/',
              pg_temp.a_10h(c) + interval '1 hour',
              CASE WHEN canal = 'email' THEN pg_temp.a_10h(c) + interval '61 minutes' END, NULL,
              CASE WHEN canal = 'email' THEN 1 ELSE 0 END, '', false, pg_temp.a_10h(c) + interval '1 hour', pu,
              org_presc, false, true
       FROM bench_p CROSS JOIN (VALUES ('in_app'), ('email')) canaux(canal)
       WHERE etat IN ('en_cours', 'suivi_emploi')""",
]

SEQUENCES = [
    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
    for table in (
        "comptes_organisation",
        "comptes_user",
        "prestations_marche",
        "beneficiaires_beneficiaire",
        "prestations_lettredecommande",
        "prestations_prestation",
    )
]

# After the échéances: on some cases whose MOV-10 row is due today, an entretien was
# recorded yesterday and the row was not resynchronised (a stale row): the sweep's
# re-check finds the gap restarted and honours the row instead of acting.
FINITION = [
    """INSERT INTO prestations_entretien (debut, duree_minutes, type, modalite, phase, presence, compte_rendu,
                                         toujours_en_emploi, cree_le, auteur_id, prestation_id, session_id)
       SELECT pg_temp.a_10h(DATE '{jour_1}'), 45, 'individuel', 'presentiel', 'phase_2', 'present', '', NULL,
              pg_temp.a_10h(DATE '{jour_1}') + interval '1 hour', referent, i, NULL
       FROM bench_p WHERE perimee""",
    # What the facts trigger (off for the seeding session) does for such an entretien.
    """UPDATE prestations_prestation SET version_faits = version_faits + 1
       WHERE id IN (SELECT i FROM bench_p WHERE perimee)""",
    "DROP TABLE bench_p",
    "CREATE TABLE IF NOT EXISTS bench_semis (cle text PRIMARY KEY, valeur text NOT NULL)",
]

COLONNES_ECHEANCE = (
    "type, cle, regle, libelle, depart_le, due_le, alertes, alertes_envoyees, prochaine_action_le, etat, "
    "avertie_le, echue_le, honoree_le, annulee_le, cree_le, modifie_le, prestation_id, version_faits"
)
TYPES_ECHEANCE = (
    ["text"] * 4 + ["timestamptz"] * 2 + ["timestamptz[]", "int2", "timestamptz", "text"] + ["timestamptz"] * 6
) + ["int8", "int8"]


def ligne_avant(obligation, prestation_id: int, version_faits: int = 0) -> tuple:
    """The row of ``obligation`` as the sweeps (every 5 minutes) up to ``AVANT`` left it:
    met in time → honoured; due time passed → breached (met later or not); else open,
    with the warnings whose time had come sent."""
    alertes = sorted(obligation.alertes)
    honoree = obligation.honoree_le
    cinq = datetime.timedelta(minutes=5)
    if honoree is not None and honoree <= AVANT and honoree < obligation.due_le:
        etat, jusqu_a, echue = "honoree", honoree, None
    elif obligation.due_le <= AVANT:
        etat, jusqu_a, echue, honoree = "echue", obligation.due_le, obligation.due_le + cinq, None
    else:
        etat, jusqu_a, echue, honoree = "a_venir", AVANT, None, None
    envoyees = [a for a in alertes if a <= jusqu_a and a < obligation.due_le]
    if etat == "a_venir" and envoyees:
        etat = "avertie"
    ouverte = etat in ("a_venir", "avertie")
    return (
        obligation.type,
        obligation.cle,
        obligation.regle,
        obligation.libelle,
        obligation.depart_le,
        obligation.due_le,
        obligation.alertes,
        len(envoyees),
        min([*alertes[len(envoyees) :], obligation.due_le]) if ouverte else None,
        etat,
        envoyees[-1] + cinq if envoyees else None,
        echue,
        honoree,
        None,
        AVANT,
        AVANT,
        prestation_id,
        version_faits,
    )


def echeances_du_moteur(journal=print, lot: int = 2000) -> int:
    """Write the échéance rows of the open cases with the engine's rules (Django set up
    on the seeded database). Returns the number of rows written."""
    from django.db import connection, transaction

    from prestations import faits
    from prestations.echeances.notices import notices_des_dossiers
    from prestations.echeances.regles import obligations
    from prestations.models import ETATS_OUVERTS, Prestation

    ids = list(Prestation.objects.filter(etat__in=ETATS_OUVERTS).order_by("pk").values_list("pk", flat=True))
    total = 0
    copier = f"COPY prestations_echeance ({COLONNES_ECHEANCE}) FROM STDIN"
    with transaction.atomic():
        for debut in range(0, len(ids), lot):
            # The ORM reads first; the COPY opens after (one connection cannot do both at once).
            prestations = list(
                faits.charger(
                    Prestation.objects.filter(pk__in=ids[debut : debut + lot]).select_related("lettre_de_commande")
                )
            )
            notices = notices_des_dossiers(prestations)
            lignes = [
                ligne_avant(obligation, prestation.pk, prestation.version_faits)
                for prestation in prestations
                for obligation in obligations(prestation, AVANT, notices[prestation.pk])
            ]
            with connection.cursor() as curseur, curseur.copy(copier) as copie:
                copie.set_types(TYPES_ECHEANCE)
                for ligne in lignes:
                    copie.write_row(ligne)
            total += len(lignes)
    journal(f"  échéances de {len(ids):_} dossiers ouverts, par obligations() : {total:_} lignes".replace("_", " "))
    return total


def _executer(curseur, requetes, jour_1):
    for requete in requetes:
        curseur.execute(requete.replace("{jour_1}", jour_1))


def semer(connexion, echeances, journal=print) -> float:
    """Seed an empty, migrated database; ``echeances()`` writes the échéance rows (the
    engine, in another process). Returns the duration in seconds."""
    debut = time.perf_counter()
    jour_1 = (JOUR - datetime.timedelta(days=1)).isoformat()
    etapes = [
        ("référentiel (organisations, utilisateurs, marchés)", PREPARATION + REFERENTIEL),
        (f"{BENEFICIAIRES:,} bénéficiaires".replace(",", " "), [BENEFICIAIRES_SQL]),
        ("table de travail", STAGING),
        ("lettres de commande, prestations, entretiens, suspensions, livrables, notices", DOSSIERS + SEQUENCES),
    ]
    with connexion.cursor() as curseur:
        for libelle, requetes in etapes:
            t = time.perf_counter()
            _executer(curseur, requetes, jour_1)
            journal(f"  {libelle} : {time.perf_counter() - t:.1f} s")
    connexion.commit()
    echeances()
    with connexion.cursor() as curseur:
        _executer(curseur, PREPARATION + FINITION, jour_1)
        curseur.execute(
            "INSERT INTO bench_semis VALUES ('version', %s), ('prestations', %s), ('jour', %s)",
            [VERSION, str(PRESTATIONS), JOUR.isoformat()],
        )
    connexion.commit()
    connexion.autocommit = True
    t = time.perf_counter()
    with connexion.cursor() as curseur:
        curseur.execute("VACUUM (ANALYZE)")
    connexion.autocommit = False
    journal(f"  VACUUM ANALYZE : {time.perf_counter() - t:.1f} s")
    return time.perf_counter() - debut


def deja_seme(connexion) -> bool:
    with connexion.cursor() as curseur:
        curseur.execute("SELECT to_regclass('bench_semis') IS NOT NULL")
        if not curseur.fetchone()[0]:
            return False
        curseur.execute("SELECT cle, valeur FROM bench_semis")
        valeurs = dict(curseur.fetchall())
    return valeurs == {"version": VERSION, "prestations": str(PRESTATIONS), "jour": JOUR.isoformat()}
