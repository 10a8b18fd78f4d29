-- uses: transfers
-- SIPRI TIV order book now, per recipient: TIV ordered minus SIPRI's delivered TIV (the larger of the register
-- total and the per-delivery-year sum), never below 0. Same records as timeline_tiv_orderbook.sql.
WITH sel AS (
    SELECT * FROM ft
    WHERE tiv_order_m IS NOT NULL
      AND ($deal_id = '' OR transfer_id IN (
          SELECT sipri_transfer_id FROM deals
          WHERE deal_id = $deal_id OR parent_deal_id = $deal_id
             OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id)))
), per_year AS (
    SELECT transfer_id, sum(tiv_delivered_m) AS tiv FROM transfer_deliveries
    WHERE transfer_id IN (SELECT transfer_id FROM sel) GROUP BY transfer_id
), open AS (
    SELECT s.*, greatest(s.tiv_order_m - greatest(coalesce(s.tiv_delivered_m, 0), coalesce(p.tiv, 0)), 0)
               AS outstanding
    FROM sel s LEFT JOIN per_year p USING (transfer_id)
)
SELECT recipient_name AS recipient, recipient_location_iso3 AS recipient_iso3, recipient_region AS region,
       round(sum(outstanding), 3) AS tiv_outstanding_m, count(*) FILTER (WHERE outstanding > 0) AS open_records
FROM open
GROUP BY ALL
HAVING sum(outstanding) > 0
ORDER BY tiv_outstanding_m DESC, recipient
