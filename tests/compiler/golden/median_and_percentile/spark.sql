SELECT
  TRUNC(t0.ordered_at, 'YEAR') AS metric_time__year,
  PERCENTILE(t0.amount, 0.5) AS median_order_value,
  PERCENTILE(t0.amount, 0.9) AS p90_order_value
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
