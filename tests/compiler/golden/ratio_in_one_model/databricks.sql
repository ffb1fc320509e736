SELECT
  TRUNC(t0.ordered_at, 'QUARTER') AS metric_time__quarter,
  CAST(SUM(t0.amount) AS DOUBLE) / CAST(NULLIF(COUNT(DISTINCT t0.customer_id), 0) AS DOUBLE) AS revenue_per_customer
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
