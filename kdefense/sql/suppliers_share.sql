-- Share of exports (SIPRI TIV by delivery year) and rank among supplier states, by year or by five-year window,
-- for the suppliers in $suppliers. Recipient scope ($regions, $nato, $eu, $countries) defines the market; empty
-- scope = world totals. Only SIPRI's per-delivery-year rows (to 2024) count: 2025 rows are derived and partial.
WITH last AS (SELECT max(delivery_year) AS y FROM transfer_deliveries WHERE basis = 'sipri_per_year'),
rows AS (
    SELECT CASE WHEN $by_window THEN d.delivery_year - d.delivery_year % 5 ELSE d.delivery_year END AS period,
           d.supplier, d.supplier_iso3, d.tiv_delivered_m AS tiv,
           d.delivery_year_uncertain OR d.units_uncertain AS uncertain
    FROM transfer_deliveries d
    LEFT JOIN countries c ON c.iso3 = d.recipient_iso3
    WHERE d.basis = 'sipri_per_year'
      AND d.delivery_year BETWEEN $year_from AND $year_to
      AND (len($regions) = 0 OR list_contains($regions, d.recipient_region))
      AND (NOT $nato OR coalesce(c.is_nato, false))
      AND (NOT $eu OR coalesce(c.is_eu, false))
      AND (len($countries) = 0 OR list_contains($countries, d.recipient_iso3))
), by_supplier AS (
    SELECT period, supplier, any_value(supplier_iso3) AS supplier_iso3, sum(tiv) AS tiv_m,
           sum(tiv) FILTER (WHERE uncertain) AS tiv_uncertain_m
    FROM rows
    WHERE NOT $by_window
       OR (period >= 2000 AND period >= $year_from AND period + 4 <= least($year_to, (SELECT y FROM last)))
    GROUP BY ALL
), ranked AS (
    SELECT *, sum(tiv_m) OVER (PARTITION BY period) AS market_tiv_m,
           CASE WHEN supplier_iso3 IS NOT NULL
                THEN rank() OVER (PARTITION BY period, supplier_iso3 IS NOT NULL ORDER BY tiv_m DESC) END AS rank,
           count(*) FILTER (WHERE supplier_iso3 IS NOT NULL) OVER (PARTITION BY period) AS suppliers_in_market
    FROM by_supplier
)
SELECT r.period,
       CASE WHEN $by_window THEN r.period || '–' || right(CAST(r.period + 4 AS VARCHAR), 2)
            ELSE CAST(r.period AS VARCHAR) END AS period_label,
       r.supplier AS sipri_supplier, coalesce(c.name, r.supplier) AS supplier,
       round(r.tiv_m, 2) AS tiv_m, round(r.market_tiv_m, 2) AS market_tiv_m,
       round(100 * r.tiv_m / nullif(r.market_tiv_m, 0), 3) AS share_pct, r.rank, r.suppliers_in_market,
       round(100 * coalesce(r.tiv_uncertain_m, 0) / nullif(r.tiv_m, 0), 1) AS pct_tiv_flagged_uncertain
FROM ranked r
LEFT JOIN countries c ON c.iso3 = r.supplier_iso3
WHERE list_contains($suppliers, r.supplier)
ORDER BY r.period, r.tiv_m DESC
