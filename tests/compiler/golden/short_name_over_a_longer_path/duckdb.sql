SELECT
  t1.t2_segment AS customer__segment,
  SUM(t0.quantity) AS items_sold
FROM main.order_items AS t0
LEFT JOIN (
  SELECT
    t1.order_id AS __k,
    t2.segment AS t2_segment
  FROM main.orders AS t1
  LEFT JOIN main.customers AS t2
    ON t1.customer_id = t2.customer_id
) AS t1
  ON t0.order_id = t1.__k
GROUP BY
  1
ORDER BY
  1
