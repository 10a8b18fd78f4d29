-- Number of recipient states (with an ISO code) receiving deliveries from each supplier in each five-year
-- window, within the recipient scope. SIPRI TIV per-delivery-year rows only (to 2024).
WITH last AS (SELECT max(delivery_year) AS y FROM transfer_deliveries WHERE basis = 'sipri_per_year'),
rows AS (
    SELECT d.delivery_year - d.delivery_year % 5 AS window_start, d.supplier, d.supplier_iso3,
           d.recipient_iso3, d.tiv_delivered_m
    FROM transfer_deliveries d
    LEFT JOIN countries c ON c.iso3 = d.recipient_iso3
    WHERE d.basis = 'sipri_per_year' AND d.delivery_year >= 2000
      AND d.delivery_year BETWEEN $year_from AND $year_to
      AND list_contains($suppliers, d.supplier)
      AND (len($regions) = 0 OR list_contains($regions, d.recipient_region))
      AND (NOT $nato OR coalesce(c.is_nato, false))
      AND (NOT $eu OR coalesce(c.is_eu, false))
      AND (len($countries) = 0 OR list_contains($countries, d.recipient_iso3))
)
SELECT r.window_start, r.window_start || '–' || right(CAST(r.window_start + 4 AS VARCHAR), 2) AS window_label,
       coalesce(any_value(s.name), r.supplier) AS supplier, count(DISTINCT r.recipient_iso3) AS recipients,
       round(sum(r.tiv_delivered_m), 2) AS tiv_m
FROM rows r
LEFT JOIN countries s ON s.iso3 = r.supplier_iso3
WHERE r.window_start >= $year_from AND r.window_start + 4 <= least($year_to, (SELECT y FROM last))
GROUP BY r.window_start, r.supplier
ORDER BY r.window_start, recipients DESC, supplier
