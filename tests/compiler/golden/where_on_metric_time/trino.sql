SELECT
  t1.segment AS customer__segment,
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
WHERE
  DATE_TRUNC('MONTH', t0.ordered_at) >= '2024-06-01'
GROUP BY
  1
ORDER BY
  1
