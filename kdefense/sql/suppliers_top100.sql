-- Korean firms in the SIPRI Top 100 (arms revenue, USD m at current prices, and rank) by year. Only the
-- sidebar's company filter applies.
SELECT company, year, rank, arms_revenue_musd, total_revenue_musd,
       round(100 * arms_share_of_revenue, 1) AS arms_share_pct, sipri_name
FROM companies
WHERE len($companies) = 0 OR list_contains($companies, company)
ORDER BY company, year
