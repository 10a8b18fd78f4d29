-- One deal with its SIPRI record (no filters: a card opens whatever deal was selected).
SELECT d.*, t.order_year AS sipri_order_year, t.number_ordered AS sipri_number_ordered,
       t.number_delivered AS sipri_number_delivered, t.delivery_years AS sipri_delivery_years,
       t.designation AS sipri_designation, t.status AS sipri_status, t.tiv_per_unit_m AS sipri_tiv_per_unit_m,
       k.programme AS competition_programme, k.outcome AS competition_outcome, k.year_decided AS competition_year,
       k.rival_bidders AS competition_rivals, k.winner AS competition_winner
FROM deals d LEFT JOIN transfers t ON t.transfer_id = d.sipri_transfer_id
LEFT JOIN competitions k ON k.competition_id = d.competition_id
WHERE d.deal_id = $deal_id
