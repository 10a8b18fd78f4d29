-- uses: deals
-- Country profile: every source cited by the filtered ledger deals of one recipient.
SELECT s.source_id, s.publisher, s.title, s.date, s.url, s.kind, count(DISTINCT fd.deal_id) AS deals
FROM fd, unnest(string_split(fd.source_ids, ';')) AS u(sid)
JOIN sources s ON s.source_id = trim(u.sid)
WHERE fd.recipient_iso3 = $iso3
GROUP BY ALL
ORDER BY s.date DESC NULLS LAST, s.source_id
