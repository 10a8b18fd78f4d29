-- Supplier states in SIPRI's per-delivery-year register, largest first in its last five years of data.
-- `supplier` is SIPRI's name (the key the other suppliers_* questions take); `label` the display name.
WITH last AS (SELECT max(delivery_year) AS y FROM transfer_deliveries WHERE basis = 'sipri_per_year')
SELECT d.supplier, coalesce(any_value(c.name), d.supplier) AS label,
       sum(d.tiv_delivered_m) FILTER (WHERE d.delivery_year > (SELECT y FROM last) - 5) AS tiv_last_5y,
       sum(d.tiv_delivered_m) AS tiv_since_2000
FROM transfer_deliveries d
LEFT JOIN countries c ON c.iso3 = d.supplier_iso3
WHERE d.basis = 'sipri_per_year' AND d.supplier_iso3 IS NOT NULL AND d.delivery_year >= 2000
GROUP BY d.supplier
ORDER BY tiv_last_5y DESC NULLS LAST, tiv_since_2000 DESC, d.supplier
