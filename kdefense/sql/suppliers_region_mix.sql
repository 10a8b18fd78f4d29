-- Where each supplier's exports went: share of its TIV (by delivery year) in one five-year window by recipient
-- region. The split is over all recipients, so the sidebar's recipient filters do not apply.
SELECT coalesce(s.name, d.supplier) AS supplier, coalesce(d.recipient_region, 'Unknown / international') AS region,
       round(sum(d.tiv_delivered_m), 2) AS tiv_m,
       round(100 * sum(d.tiv_delivered_m) / sum(sum(d.tiv_delivered_m)) OVER (PARTITION BY d.supplier), 2)
           AS share_of_supplier_pct,
       count(DISTINCT d.recipient_iso3) AS recipients
FROM transfer_deliveries d
LEFT JOIN countries s ON s.iso3 = d.supplier_iso3
WHERE d.basis = 'sipri_per_year' AND d.delivery_year BETWEEN $window_start AND $window_start + 4
  AND list_contains($suppliers, d.supplier)
GROUP BY d.supplier, s.name, d.recipient_region
ORDER BY supplier, region
