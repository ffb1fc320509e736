SELECT
  DATE_TRUNC(t0.ordered_at, QUARTER) AS metric_time__quarter,
  SUM(CASE WHEN t0.is_gift THEN 1 ELSE 0 END) AS gift_orders
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
