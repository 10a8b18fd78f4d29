-- uses: transfers
-- SIPRI TIV ordered per order year and recipient region (transfers.tiv_order_m: units ordered × TIV per unit,
-- by ORDER year), South Korea's SIPRI records under the shared filters. With $deal_id, only the SIPRI records
-- linked to that deal and its executive contracts.
SELECT order_year AS year, 'SIPRI TIV ordered' AS series, recipient_region AS region,
       round(sum(tiv_order_m), 3) AS tiv_order_m, count(*) AS records
FROM ft
WHERE $deal_id = '' OR transfer_id IN (
    SELECT sipri_transfer_id FROM deals
    WHERE deal_id = $deal_id OR parent_deal_id = $deal_id
       OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
GROUP BY order_year, recipient_region
ORDER BY year, region
