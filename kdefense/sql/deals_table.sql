-- uses: deals
-- The Deals explorer table and its CSV export: every column a researcher needs, sources' URLs included.
-- Units delivered, last delivery year and source URLs do not depend on the filters: the build stores them per
-- deal (_internal.deal_table_facts, materialize.sql).
SELECT fd.deal_id, fd.parent_deal_id, fd.signed_date, fd.signed_date_precision, fd.signed_year,
       fd.recipient, fd.recipient_iso3, fd.recipient_region, fd.system_family, fd.designation,
       fd.armament_category, fd.company, fd.partners, fd.status, fd.deal_kind, fd.quantity,
       x.units_delivered,
       CASE WHEN fd.quantity > 0 THEN least(coalesce(x.units_delivered, 0) / fd.quantity, 1.0) END AS delivery_progress,
       x.last_delivery_year,
       fd.currency, fd.value_amount_m, fd.value_is_estimate, fd.value_usd_m, fd.value_usd_m_counted, fd.fx_year,
       fd.fx_units_per_usd, fd.value_note, fd.local_production_share_pct, fd.local_production_note,
       fd.sipri_transfer_id, fd.sipri_tiv_order_m, fd.confidence, fd.last_verified, fd.source_ids,
       x.source_urls, fd.notes, fd.competition_id
FROM fd
LEFT JOIN _internal.deal_table_facts x USING (deal_id)
ORDER BY fd.signed_date DESC, fd.deal_id
