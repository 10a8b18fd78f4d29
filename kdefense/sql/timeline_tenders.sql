-- uses: competitions
-- Tender decisions for the Timeline: one marker per decided competition at its decision year (x_year = mid-year:
-- decisions are known by year here), by system family and outcome for Korea. With $deal_id, only the
-- competitions that list that deal (deal_ids).
SELECT competition_id, programme, recipient, system_family, outcome, year_decided, year_decided + 0.5 AS x_year,
       korean_systems, winner, winner_system, deal_ids
FROM fc
WHERE year_decided IS NOT NULL
  AND ($deal_id = '' OR list_contains(list_transform(string_split(coalesce(deal_ids, ''), ';'), lambda x: trim(x)),
                                      $deal_id))
ORDER BY year_decided, competition_id
