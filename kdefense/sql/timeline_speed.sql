-- uses: deals
-- Speed: calendar years from signing to the first actual delivery for each signed Korean deal (contract,
-- delivering, completed; 0 = delivered in the signing year), against other suppliers in the same SIPRI armament
-- category: median, quartiles and count of (first delivery year − order year) over SIPRI records of new
-- equipment (status 'New') from suppliers other than South Korea, ordered from 2000 on with a certain order
-- year and at least one delivery. Signed deals with no delivery yet give years_waiting (as-of year − signing
-- year) instead; a completed deal with no recorded delivery is left out. Ledger-only categories (Ammunition,
-- Services) have no benchmark.
-- None of a deal's row depends on a filter: the build stores the rows (_internal.speed_rows,
-- kdefense/sql/materialize.sql); this question picks the filtered deals.
WITH sel AS (
    SELECT deal_id FROM fd
    WHERE is_signed
      AND ($deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
           OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
)
SELECT r.deal_id, r.row_label, r.recipient, r.recipient_region, r.system_family, r.designation,
       r.armament_category, r.status, r.signed_date, r.signed_year, r.quantity, r.first_delivery_year,
       r.first_year_units, r.first_year_origin, r.years_to_first_delivery, r.years_waiting, r.others_median_years,
       r.others_p25_years, r.others_p75_years, r.others_records, r.years_vs_median, r.source_ids
FROM _internal.speed_rows r
WHERE r.deal_id IN (SELECT deal_id FROM sel)
ORDER BY r.first_delivery_year IS NULL, r.signed_date DESC, r.deal_id
