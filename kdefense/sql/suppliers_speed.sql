-- Years from order to first delivery per supplier (SIPRI register, one row per deal), for deals ordered in the
-- sidebar's years within the recipient scope; optional armament category and new-systems-only. Deals not yet
-- delivered are counted apart (they would only lengthen the wait). Quartiles and 5th/95th percentiles.
WITH deals AS (
    SELECT t.supplier, t.supplier_iso3, t.first_delivery_year - t.order_year AS years,
           t.order_year_uncertain, t.first_delivery_year IS NULL AS awaiting
    FROM transfers t
    LEFT JOIN countries c ON c.iso3 = t.recipient_location_iso3
    WHERE list_contains($suppliers, t.supplier)
      AND t.order_year BETWEEN $year_from AND $year_to
      AND ($sup_category = '' OR t.armament_category = $sup_category)
      AND (NOT $new_only OR t.status = 'New')
      AND (len($regions) = 0 OR list_contains($regions, t.recipient_region))
      AND (NOT $nato OR coalesce(c.is_nato, false))
      AND (NOT $eu OR coalesce(c.is_eu, false))
      AND (len($countries) = 0 OR list_contains($countries, t.recipient_location_iso3))
)
SELECT coalesce(s.name, d.supplier) AS supplier,
       count(years) AS deals_delivered, count(*) FILTER (WHERE awaiting) AS deals_awaiting_first_delivery,
       quantile_cont(years, 0.05) AS p05, quantile_cont(years, 0.25) AS q1, median(years) AS median,
       quantile_cont(years, 0.75) AS q3, quantile_cont(years, 0.95) AS p95, round(avg(years), 2) AS mean,
       max(years) AS max_years,
       count(*) FILTER (WHERE years IS NOT NULL AND order_year_uncertain) AS delivered_with_uncertain_order_year
FROM deals d
LEFT JOIN countries s ON s.iso3 = d.supplier_iso3
GROUP BY d.supplier, s.name
ORDER BY median NULLS LAST, supplier
