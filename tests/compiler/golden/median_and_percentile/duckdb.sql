SELECT
  DATE_TRUNC('YEAR', t0.ordered_at) AS metric_time__year,
  QUANTILE_CONT(t0.amount, 0.5) AS median_order_value,
  QUANTILE_CONT(t0.amount, 0.9) AS p90_order_value
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
