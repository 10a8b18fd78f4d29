-- uses: transfers
SELECT count(*) AS deals, count(DISTINCT recipient) AS recipients, sum(tiv_order_m) AS tiv_order_m,
       sum(tiv_delivered_m) AS tiv_delivered_m, sum(number_ordered) AS units_ordered,
       sum(number_delivered) AS units_delivered,
       sum(greatest(number_ordered - coalesce(number_delivered, 0), 0)) AS units_outstanding
FROM ft
