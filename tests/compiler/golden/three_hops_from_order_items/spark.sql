SELECT
  t1.t3_region_name AS order__customer__region__region_name,
  SUM(t0.quantity) AS items_sold
FROM main.order_items AS t0
LEFT JOIN (
  SELECT
    t1.order_id AS __k,
    t3.region_name AS t3_region_name
  FROM main.orders AS t1
  LEFT JOIN main.customers AS t2
    ON t1.customer_id = t2.customer_id
  LEFT JOIN main.regions AS t3
    ON t2.region_id = t3.region_id
) AS t1
  ON t0.order_id = t1.__k
GROUP BY
  1
ORDER BY
  1
