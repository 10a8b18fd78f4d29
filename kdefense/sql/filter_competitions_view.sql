-- The competitions filter on the `competitions` view and its join to countries (as filter_competitions.sql read
-- before the build stored those rows). Only the head to head uses it: its string_agg(DISTINCT …) lists bidders and
-- competitions in the order these joins yield the rows (DuckDB defines no order), and the stored rows would list
-- some in another order. Composed as CTE `fc` by queries.py; the same filters as filter_competitions.sql.
SELECT k.*, coalesce(k.year_decided, k.year_opened) AS year,
       coalesce(c.is_nato, false) AS recipient_is_nato, coalesce(c.is_eu, false) AS recipient_is_eu
FROM competitions k
LEFT JOIN countries c ON c.iso3 = k.recipient_iso3
WHERE (len($regions) = 0 OR list_contains($regions, k.recipient_region))
  AND (NOT $nato OR coalesce(c.is_nato, false))
  AND (NOT $eu OR coalesce(c.is_eu, false))
  AND (len($countries) = 0 OR list_contains($countries, k.recipient_iso3))
  AND (len($systems) = 0 OR list_contains($systems, k.system_family))
  AND (len($companies) = 0
       OR list_has_any($companies, list_transform(string_split(k.korean_bidders, ';'), lambda x: trim(x))))
  AND coalesce(k.year_decided, k.year_opened) BETWEEN $year_from AND $year_to
  AND ($q = '' OR concat_ws(' ', k.competition_id, k.programme, k.recipient, k.system_family, k.korean_bidders,
                             k.korean_systems, k.rival_bidders, k.rival_systems, k.winner, k.notes)
                  ILIKE '%' || $q || '%')
