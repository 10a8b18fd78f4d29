-- uses: competitions
-- Tender decisions for the Timeline: one marker per decided competition at its decision year (x_year = mid-year:
-- decisions are known by year here), by system family and outcome for Korea.
SELECT competition_id, programme, recipient, system_family, outcome, year_decided, year_decided + 0.5 AS x_year,
       korean_systems, winner, winner_system, deal_ids
FROM fc
WHERE year_decided IS NOT NULL
ORDER BY year_decided, competition_id
