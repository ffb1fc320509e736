SELECT
  DATE_TRUNC('YEAR', t0.ordered_at) AS metric_time__year,
  COUNT(DISTINCT t0.customer_id) AS ordering_customers
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
