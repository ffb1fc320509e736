SELECT
  DATE_TRUNC('YEAR', t0.ordered_at) AS metric_time__year,
  PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY
    t0.amount) AS median_order_value,
  PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY
    t0.amount) AS p90_order_value
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
