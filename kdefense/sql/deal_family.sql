-- The parent and the children of a deal.
SELECT 'parent' AS relation, deal_id, signed_date, system_family, quantity, currency, value_amount_m, value_usd_m, status
FROM deals WHERE deal_id = (SELECT parent_deal_id FROM deals WHERE deal_id = $deal_id)
UNION ALL
SELECT 'child', deal_id, signed_date, system_family, quantity, currency, value_amount_m, value_usd_m, status
FROM deals WHERE parent_deal_id = $deal_id
ORDER BY relation DESC, signed_date
