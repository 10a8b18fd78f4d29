-- uses: deals
-- Speed: calendar years from signing to the first actual delivery for each signed Korean deal (contract,
-- delivering, completed; 0 = delivered in the signing year), against other suppliers in the same SIPRI armament
-- category: median, quartiles and count of (first delivery year − order year) over SIPRI records of new
-- equipment (status 'New') from suppliers other than South Korea, ordered from 2000 on with a certain order
-- year and at least one delivery. Signed deals with no delivery yet give years_waiting (as-of year − signing
-- year) instead. Ledger-only categories (Ammunition, Services) have no benchmark.
WITH sel AS (
    SELECT * FROM fd
    WHERE is_signed
      AND ($deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
           OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
), first AS (
    SELECT deal_id, min(year) AS first_year, arg_min(units, year) AS first_year_units,
           arg_min(origin, year) AS first_year_origin
    FROM (SELECT deal_id, year, sum(units) AS units, string_agg(DISTINCT origin, '+') AS origin
          FROM deliveries WHERE kind = 'actual' GROUP BY deal_id, year)
    GROUP BY deal_id
), bench AS (
    SELECT * FROM _internal.speed_benchmarks  -- per armament category, independent of the filters: materialize.sql
)
SELECT s.deal_id, s.recipient || ' · ' || substr(s.deal_id, 8) AS row_label, s.recipient, s.recipient_region,
       s.system_family, s.designation, s.armament_category, s.status, s.signed_date, s.signed_year, s.quantity,
       f.first_year AS first_delivery_year, f.first_year_units, f.first_year_origin,
       f.first_year - s.signed_year AS years_to_first_delivery,
       CASE WHEN f.first_year IS NULL AND s.status <> 'completed'
            THEN (SELECT year(max(CAST(last_verified AS DATE))) FROM deals) - s.signed_year END AS years_waiting,
       b.others_median_years, b.others_p25_years, b.others_p75_years, b.others_records,
       f.first_year - s.signed_year - b.others_median_years AS years_vs_median,
       s.source_ids
FROM sel s
LEFT JOIN first f USING (deal_id)
LEFT JOIN bench b USING (armament_category)
WHERE f.first_year IS NOT NULL OR s.status <> 'completed'
ORDER BY f.first_year IS NULL, s.signed_date DESC, s.deal_id
