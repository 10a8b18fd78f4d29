SELECT year, kind, units, is_estimate, is_overdue, source_ids, note, origin FROM deliveries WHERE deal_id = $deal_id
ORDER BY year, kind
