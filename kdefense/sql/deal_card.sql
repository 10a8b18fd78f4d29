-- One deal with its SIPRI record (no filters: a card opens whatever deal was selected).
SELECT d.*, t.order_year AS sipri_order_year, t.number_ordered AS sipri_number_ordered,
       t.number_delivered AS sipri_number_delivered, t.delivery_years AS sipri_delivery_years,
       t.designation AS sipri_designation, t.status AS sipri_status, t.tiv_per_unit_m AS sipri_tiv_per_unit_m
FROM deals d LEFT JOIN transfers t ON t.transfer_id = d.sipri_transfer_id
WHERE d.deal_id = $deal_id
