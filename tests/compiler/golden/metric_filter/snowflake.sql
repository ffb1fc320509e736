SELECT
  DATE_TRUNC('QUARTER', t0.ordered_at) AS metric_time__quarter,
  SUM(t0.amount) AS completed_revenue
FROM main.orders AS t0
WHERE
  t0.status = 'completed'
GROUP BY
  1
ORDER BY
  1
