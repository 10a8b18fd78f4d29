-- uses: deals
-- Korean prime contractors compared on the filtered ledger deals: value, systems, customers.
SELECT coalesce(company, 'Not stated') AS company, count(*) AS deals,
       count(value_usd_m_counted) AS deals_with_value, round(sum(value_usd_m_counted), 1) AS value_usd_m,
       count(DISTINCT recipient_iso3) AS customers_n,
       string_agg(DISTINCT recipient, ', ' ORDER BY recipient) AS customers,
       string_agg(DISTINCT system_family, ', ' ORDER BY system_family) AS systems,
       min(signed_year) AS first_signed, max(signed_year) AS last_signed
FROM fd
GROUP BY ALL
ORDER BY value_usd_m DESC NULLS LAST, deals DESC, company
