SELECT
  t1.segment AS customer__segment,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
WHERE
  t0.status IN ('completed', 'returned') AND t1.segment <> 'SMB'
GROUP BY
  1
ORDER BY
  1
