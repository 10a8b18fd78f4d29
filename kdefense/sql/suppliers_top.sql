-- Who supplies the selected recipients: the $top_n largest suppliers (SIPRI TIV by delivery year) in one
-- five-year window, plus the suppliers in $suppliers wherever they rank. Empty scope = world totals.
-- Ranks count supplier states only; unknown and non-state suppliers stay in the market total.
WITH rows AS (
    SELECT d.supplier, d.supplier_iso3, d.tiv_delivered_m AS tiv
    FROM transfer_deliveries d
    LEFT JOIN countries c ON c.iso3 = d.recipient_iso3
    WHERE d.basis = 'sipri_per_year'
      AND d.delivery_year BETWEEN $window_start AND $window_start + 4
      AND (len($regions) = 0 OR list_contains($regions, d.recipient_region))
      AND (NOT $nato OR coalesce(c.is_nato, false))
      AND (NOT $eu OR coalesce(c.is_eu, false))
      AND (len($countries) = 0 OR list_contains($countries, d.recipient_iso3))
), ranked AS (
    SELECT supplier, any_value(supplier_iso3) AS supplier_iso3, sum(tiv) AS tiv_m,
           sum(sum(tiv)) OVER () AS market_tiv_m,
           CASE WHEN any_value(supplier_iso3) IS NOT NULL
                THEN rank() OVER (PARTITION BY any_value(supplier_iso3) IS NOT NULL ORDER BY sum(tiv) DESC) END AS rank
    FROM rows GROUP BY supplier
)
SELECT r.supplier AS sipri_supplier, coalesce(c.name, r.supplier) AS supplier, r.rank,
       round(r.tiv_m, 2) AS tiv_m, round(100 * r.tiv_m / nullif(r.market_tiv_m, 0), 3) AS share_pct,
       round(r.market_tiv_m, 2) AS market_tiv_m
FROM ranked r
LEFT JOIN countries c ON c.iso3 = r.supplier_iso3
WHERE r.rank IS NOT NULL AND (r.rank <= $top_n OR list_contains($suppliers, r.supplier))
ORDER BY r.rank
