SELECT
  t1.name AS customer__name,
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
GROUP BY
  1
ORDER BY
  revenue DESC
LIMIT 5
