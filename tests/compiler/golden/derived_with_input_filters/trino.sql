SELECT
  DATE_TRUNC('YEAR', t0.ordered_at) AS metric_time__year,
  CAST(100.0 * (
    SUM(CASE WHEN t0.status = 'completed' THEN t0.amount END)
  ) AS DOUBLE) / (
    SUM(t0.amount)
  ) AS completed_revenue_share_pct
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
