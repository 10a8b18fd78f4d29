-- Median years from order to first delivery per supplier and armament category (SIPRI register, deals ordered in
-- the sidebar's years within the recipient scope, delivered deals only).
SELECT coalesce(s.name, t.supplier) AS supplier, t.armament_category,
       median(t.first_delivery_year - t.order_year) AS median_years, count(*) AS deals_delivered
FROM transfers t
LEFT JOIN countries c ON c.iso3 = t.recipient_location_iso3
LEFT JOIN countries s ON s.iso3 = t.supplier_iso3
WHERE list_contains($suppliers, t.supplier)
  AND t.first_delivery_year IS NOT NULL
  AND t.order_year BETWEEN $year_from AND $year_to
  AND (NOT $new_only OR t.status = 'New')
  AND (len($regions) = 0 OR list_contains($regions, t.recipient_region))
  AND (NOT $nato OR coalesce(c.is_nato, false))
  AND (NOT $eu OR coalesce(c.is_eu, false))
  AND (len($countries) = 0 OR list_contains($countries, t.recipient_location_iso3))
GROUP BY ALL
ORDER BY supplier, t.armament_category
