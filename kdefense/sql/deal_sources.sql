SELECT s.source_id, s.publisher, s.title, s.date, s.url, s.kind
FROM sources s
WHERE list_contains(list_transform(string_split((SELECT source_ids FROM deals WHERE deal_id = $deal_id), ';'), lambda x: trim(x)), s.source_id)
ORDER BY s.date DESC NULLS LAST
