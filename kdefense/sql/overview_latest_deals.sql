-- uses: deals
SELECT signed_date, recipient, system_family, quantity, currency, value_amount_m, value_usd_m, status, deal_id
FROM fd ORDER BY signed_date DESC, deal_id LIMIT 10
