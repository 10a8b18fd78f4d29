-- uses: deals
-- Order book over time: at the end of each year, units ordered but not yet delivered, by recipient region,
-- over signed deals (contract, delivering, completed) that state a quantity. Per deal and year:
--   outstanding = quantity − actual units delivered up to that year (never below 0);
--   0 once a completed deal has had its last recorded delivery (or from signing, when none is recorded).
-- value_usd_m pro-rates each deal's counted contract value (value_usd_m_counted) by its outstanding share.
-- Missiles and ammunition are left out unless $munitions. Years run from the first signing to the as-of year.
-- The per-deal, per-year outstanding figures depend on no filter: the build stores them
-- (_internal.orderbook_deal_years, kdefense/sql/materialize.sql); this question picks the deals and sums.
WITH sel AS (
    SELECT deal_id, recipient_region, value_usd_m_counted FROM fd
    WHERE is_signed AND quantity > 0
      AND ($munitions OR (armament_category NOT IN ('Missiles', 'Ammunition') AND system_family <> 'Small arms'))
      AND ($deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
           OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
)
SELECT b.year, s.recipient_region AS region, sum(b.outstanding) AS units_outstanding,
       round(sum(b.value_usd_m_outstanding), 3) AS value_usd_m_outstanding,
       count(*) FILTER (WHERE b.outstanding > 0) AS open_deals,
       count(*) FILTER (WHERE b.outstanding > 0 AND s.value_usd_m_counted IS NULL) AS open_deals_without_value
FROM sel s JOIN _internal.orderbook_deal_years b USING (deal_id)
GROUP BY b.year, s.recipient_region
ORDER BY year, region
