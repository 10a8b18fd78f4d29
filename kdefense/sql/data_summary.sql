-- Home page: what data is loaded.
SELECT 'transfers' AS view, count(*) AS rows FROM transfers
UNION ALL SELECT 'transfers (South Korea as supplier)', count(*) FROM transfers WHERE supplier = 'South Korea'
UNION ALL SELECT 'transfer_deliveries', count(*) FROM transfer_deliveries
UNION ALL SELECT 'deals', count(*) FROM deals
UNION ALL SELECT 'deliveries', count(*) FROM deliveries
UNION ALL SELECT 'sources', count(*) FROM sources
UNION ALL SELECT 'official_totals', count(*) FROM official_totals
UNION ALL SELECT 'facilities', count(*) FROM facilities
UNION ALL SELECT 'events', count(*) FROM events
UNION ALL SELECT 'companies', count(*) FROM companies
UNION ALL SELECT 'countries', count(*) FROM countries
UNION ALL SELECT 'fx_rates', count(*) FROM fx_rates
