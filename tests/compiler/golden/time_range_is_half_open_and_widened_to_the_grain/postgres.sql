SELECT
  DATE_TRUNC('MONTH', t0.ordered_at) AS metric_time__month,
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
WHERE
  t0.ordered_at >= CAST('2023-03-01' AS DATE)
  AND t0.ordered_at < CAST('2023-07-01' AS DATE)
GROUP BY
  1
ORDER BY
  1
