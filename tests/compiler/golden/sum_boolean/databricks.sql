SELECT
  TRUNC(t0.ordered_at, 'QUARTER') AS metric_time__quarter,
  SUM(CAST(t0.is_gift AS INT)) AS gift_orders
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
