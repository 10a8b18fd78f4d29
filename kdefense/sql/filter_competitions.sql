-- The competitions that pass the shared filters. Composed as CTE `fc` by queries.py. Region, NATO/EU, recipient
-- countries, system family, company (a Korean bidder) and search apply; the year is the decision year (the year
-- opened while a competition is open). Deal status, kind and armament category are deal attributes: not applied.
-- Rows: every column of `competitions`, then year, recipient_is_nato and recipient_is_eu, stored by the build
-- (_internal.competition_filter_rows, materialize.sql).
SELECT k.*
FROM _internal.competition_filter_rows k
WHERE (len($regions) = 0 OR list_contains($regions, k.recipient_region))
  AND (NOT $nato OR k.recipient_is_nato)
  AND (NOT $eu OR k.recipient_is_eu)
  AND (len($countries) = 0 OR list_contains($countries, k.recipient_iso3))
  AND (len($systems) = 0 OR list_contains($systems, k.system_family))
  AND (len($companies) = 0
       OR list_has_any($companies, list_transform(string_split(k.korean_bidders, ';'), lambda x: trim(x))))
  AND k.year BETWEEN $year_from AND $year_to
  AND ($q = '' OR concat_ws(' ', k.competition_id, k.programme, k.recipient, k.system_family, k.korean_bidders,
                             k.korean_systems, k.rival_bidders, k.rival_systems, k.winner, k.notes)
                  ILIKE '%' || $q || '%')
