SELECT
  DATE_TRUNC('QUARTER', t0.ordered_at) AS metric_time__quarter,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
