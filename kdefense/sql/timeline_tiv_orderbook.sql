-- uses: transfers
-- SIPRI TIV order book over time: at the end of each year, TIV ordered (transfers.tiv_order_m, counted from the
-- ORDER year) minus TIV delivered up to that year (transfer_deliveries.tiv_delivered_m, by DELIVERY year; from
-- the record's last delivery year on, at least SIPRI's own delivered total), never below 0, by recipient region.
-- South Korea's SIPRI records under the shared filters. Years run from the first order to the last year SIPRI
-- covers (latest order or delivery year).
WITH sel AS (
    SELECT * FROM ft
    WHERE tiv_order_m IS NOT NULL
      AND ($deal_id = '' OR transfer_id IN (
          SELECT sipri_transfer_id FROM deals
          WHERE deal_id = $deal_id OR parent_deal_id = $deal_id
             OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id)))
), per_year AS (
    SELECT transfer_id, delivery_year AS year, sum(tiv_delivered_m) AS tiv
    FROM transfer_deliveries WHERE transfer_id IN (SELECT transfer_id FROM sel) AND delivery_year IS NOT NULL
    GROUP BY transfer_id, delivery_year
), years AS (
    SELECT unnest(generate_series((SELECT min(order_year) FROM sel),
                                  (SELECT greatest(max(order_year), max(last_delivery_year))::BIGINT
                                   FROM transfers WHERE supplier = 'South Korea'))) AS year
), grid AS (
    SELECT y.year, s.transfer_id, s.recipient_region, s.tiv_order_m,
           greatest(s.tiv_order_m - CASE
               WHEN y.year >= s.last_delivery_year
                   THEN greatest(coalesce(s.tiv_delivered_m, 0),
                                 coalesce((SELECT sum(p.tiv) FROM per_year p
                                           WHERE p.transfer_id = s.transfer_id AND p.year <= y.year), 0))
               ELSE coalesce((SELECT sum(p.tiv) FROM per_year p
                              WHERE p.transfer_id = s.transfer_id AND p.year <= y.year), 0) END, 0) AS outstanding
    FROM years y JOIN sel s ON s.order_year <= y.year
)
SELECT year, recipient_region AS region, round(sum(outstanding), 3) AS tiv_outstanding_m,
       count(*) FILTER (WHERE outstanding > 0) AS open_records
FROM grid
GROUP BY year, recipient_region
ORDER BY year, region
