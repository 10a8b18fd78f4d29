-- uses: competitions
-- The competitions under the filters, newest decision first, with their sources' URLs.
WITH urls AS (
    SELECT fc.competition_id, string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls
    FROM fc, unnest(string_split(fc.source_ids, ';')) AS u(sid)
    JOIN sources s ON s.source_id = trim(u.sid)
    GROUP BY fc.competition_id
)
SELECT fc.year, fc.year_opened, fc.year_decided, fc.recipient, fc.recipient_region, fc.programme, fc.system_family,
       fc.korean_bidders, fc.korean_systems, fc.rival_bidders, fc.rival_systems, fc.winner, fc.winner_system,
       fc.outcome, fc.quantity_sought, fc.budget_currency, fc.budget_amount_m, fc.budget_is_estimate, fc.deal_ids,
       fc.source_ids, u.source_urls, fc.notes, fc.competition_id
FROM fc LEFT JOIN urls u USING (competition_id)
ORDER BY fc.outcome = 'open' DESC, fc.year DESC, fc.competition_id
