-- uses: deals
-- Country profile, ledger layer: units delivered (actual) and planned per year, for the filtered deals of one
-- recipient. Years are delivery years, not signing years.
SELECT dl.year, dl.kind, sum(dl.units) AS units, count(DISTINCT dl.deal_id) AS deals,
       bool_or(dl.is_estimate) AS has_estimate
FROM deliveries dl JOIN fd USING (deal_id)
WHERE fd.recipient_iso3 = $iso3 AND dl.year IS NOT NULL
GROUP BY dl.year, dl.kind
ORDER BY dl.year, dl.kind
