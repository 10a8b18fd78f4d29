-- uses: competitions
-- The competitions under the filters, newest decision first, with their sources' URLs (stored per competition by
-- the build: _internal.competition_source_urls, materialize.sql).
SELECT fc.year, fc.year_opened, fc.year_decided, fc.recipient, fc.recipient_region, fc.programme, fc.system_family,
       fc.korean_bidders, fc.korean_systems, fc.rival_bidders, fc.rival_systems, fc.winner, fc.winner_system,
       fc.outcome, fc.quantity_sought, fc.budget_currency, fc.budget_amount_m, fc.budget_is_estimate, fc.deal_ids,
       fc.source_ids, u.source_urls, fc.notes, fc.competition_id
FROM fc LEFT JOIN _internal.competition_source_urls u USING (competition_id)
ORDER BY fc.outcome = 'open' DESC, fc.year DESC, fc.competition_id
