SELECT
  TRUNC(t0.ordered_at, 'MONTH') AS metric_time__month,
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
