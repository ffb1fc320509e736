SELECT
  DATE_TRUNC('MONTH', t0.shipped_at) AS metric_time__month,
  COUNT(t0.order_id) AS shipped_orders
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
