-- uses: deals
-- The Deals explorer table and its CSV export: every column a researcher needs, sources' URLs included.
WITH delivered AS (
    SELECT deal_id, sum(units) FILTER (WHERE kind = 'actual') AS units_delivered,
           max(year) FILTER (WHERE kind = 'actual') AS last_delivery_year
    FROM deliveries GROUP BY deal_id
), urls AS (
    SELECT fd.deal_id, string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls
    FROM fd, unnest(string_split(fd.source_ids, ';')) AS u(sid)
    JOIN sources s ON s.source_id = trim(u.sid)
    GROUP BY fd.deal_id
)
SELECT fd.deal_id, fd.parent_deal_id, fd.signed_date, fd.signed_date_precision, fd.signed_year,
       fd.recipient, fd.recipient_iso3, fd.recipient_region, fd.system_family, fd.designation,
       fd.armament_category, fd.company, fd.partners, fd.status, fd.deal_kind, fd.quantity,
       dl.units_delivered,
       CASE WHEN fd.quantity > 0 THEN least(coalesce(dl.units_delivered, 0) / fd.quantity, 1.0) END AS delivery_progress,
       dl.last_delivery_year,
       fd.currency, fd.value_amount_m, fd.value_is_estimate, fd.value_usd_m, fd.value_usd_m_counted, fd.fx_year,
       fd.fx_units_per_usd, fd.value_note, fd.local_production_share_pct, fd.local_production_note,
       fd.sipri_transfer_id, fd.sipri_tiv_order_m, fd.confidence, fd.last_verified, fd.source_ids,
       u.source_urls, fd.notes, fd.competition_id
FROM fd
LEFT JOIN delivered dl USING (deal_id)
LEFT JOIN urls u USING (deal_id)
ORDER BY fd.signed_date DESC, fd.deal_id
