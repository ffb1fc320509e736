SELECT
  TRUNC(t0.ordered_at, 'WEEK') AS metric_time__week,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
