-- uses: deals
WITH delivered AS (
    SELECT deal_id, sum(units) FILTER (WHERE kind = 'actual') AS units_delivered
    FROM deliveries GROUP BY deal_id
)
SELECT count(*) AS deals,
       count(DISTINCT fd.recipient_iso3) AS recipients,
       sum(fd.value_usd_m_counted) AS value_usd_m,
       count(fd.value_usd_m_counted) AS deals_with_value,
       sum(fd.quantity) AS units_ordered,
       sum(least(coalesce(dl.units_delivered, 0), fd.quantity)) FILTER (WHERE fd.quantity IS NOT NULL) AS units_delivered,
       sum(greatest(fd.quantity - coalesce(dl.units_delivered, 0), 0)) AS units_outstanding
FROM fd LEFT JOIN delivered dl USING (deal_id)
