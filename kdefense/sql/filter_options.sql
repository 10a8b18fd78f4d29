-- Values offered by the shared filter widgets (no parameters).
SELECT 'country' AS field, d.recipient_iso3 AS value, any_value(d.recipient) AS label FROM deals d GROUP BY 1, 2
UNION ALL SELECT 'country', t.recipient_location_iso3, any_value(c.name)
  FROM transfers t JOIN countries c ON c.iso3 = t.recipient_location_iso3
  WHERE t.supplier = 'South Korea' GROUP BY 1, 2
UNION ALL SELECT 'country', recipient_iso3, any_value(recipient) FROM competitions GROUP BY 1, 2
UNION ALL SELECT DISTINCT 'category', armament_category, armament_category FROM deals
UNION ALL SELECT DISTINCT 'category', armament_category, armament_category FROM transfers WHERE supplier = 'South Korea'
UNION ALL SELECT DISTINCT 'system', system_family, system_family FROM deals
UNION ALL SELECT DISTINCT 'system', system_family, system_family FROM transfers
  WHERE supplier = 'South Korea' AND system_family IS NOT NULL
UNION ALL SELECT DISTINCT 'company', company, company FROM deals WHERE company IS NOT NULL
UNION ALL SELECT 'year_min', CAST(least((SELECT min(signed_year) FROM deals),
  (SELECT min(order_year) FROM transfers WHERE supplier = 'South Korea')) AS VARCHAR), NULL
UNION ALL SELECT 'year_max', CAST(greatest((SELECT max(signed_year) FROM deals),
  (SELECT max(order_year) FROM transfers WHERE supplier = 'South Korea')) AS VARCHAR), NULL
