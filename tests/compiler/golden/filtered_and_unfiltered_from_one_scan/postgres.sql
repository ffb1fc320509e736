SELECT
  t1.segment AS customer__segment,
  SUM(t0.amount) AS revenue,
  SUM(CASE WHEN t0.status = 'completed' THEN t0.amount END) AS completed_revenue
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
GROUP BY
  1
ORDER BY
  1
