-- uses: deals
-- Country profile: the ledger deals of one recipient under the current filters.
SELECT signed_date, system_family, designation, company, status, quantity, currency, value_amount_m, value_usd_m,
       value_is_estimate, sipri_tiv_order_m, confidence, source_ids, deal_id
FROM fd
WHERE recipient_iso3 = $iso3
ORDER BY signed_date DESC, deal_id
