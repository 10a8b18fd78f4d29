-- uses: deals
-- Speed: calendar years from signing to the first actual delivery for each signed Korean deal (contract,
-- delivering, completed; 0 = delivered in the signing year), against other suppliers in the same SIPRI armament
-- category: median, quartiles and count of (first delivery year − order year) over SIPRI records of new
-- equipment (status 'New') from suppliers other than South Korea, ordered from 2000 on with a certain order
-- year and at least one delivery. Signed deals with no delivery yet give years_waiting (as-of year − signing
-- year) instead. Ledger-only categories (Ammunition, Services) have no benchmark.
-- Each deal's first delivery and the benchmarks depend on no filter: the build stores them (_internal.speed_deals,
-- _internal.speed_benchmarks, kdefense/sql/materialize.sql); this question picks the deals.
WITH sel AS (
    SELECT * FROM fd
    WHERE is_signed
      AND ($deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
           OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
)
SELECT s.deal_id, s.recipient || ' · ' || substr(s.deal_id, 8) AS row_label, s.recipient, s.recipient_region,
       s.system_family, s.designation, s.armament_category, s.status, s.signed_date, s.signed_year, s.quantity,
       f.first_delivery_year, f.first_year_units, f.first_year_origin, f.years_to_first_delivery, f.years_waiting,
       b.others_median_years, b.others_p25_years, b.others_p75_years, b.others_records,
       f.years_to_first_delivery - b.others_median_years AS years_vs_median,
       s.source_ids
FROM sel s
JOIN _internal.speed_deals f USING (deal_id)
LEFT JOIN _internal.speed_benchmarks b USING (armament_category)
WHERE f.first_delivery_year IS NOT NULL OR s.status <> 'completed'
ORDER BY f.first_delivery_year IS NULL, s.signed_date DESC, s.deal_id
