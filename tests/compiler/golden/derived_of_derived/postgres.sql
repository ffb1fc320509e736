SELECT
  DATE_TRUNC('YEAR', t0.ordered_at) AS metric_time__year,
  CAST((
    (
      SUM(t0.amount)
    ) - (
      SUM(t0.discount)
    )
  ) AS DOUBLE PRECISION) / (
    COUNT(t0.order_id)
  ) AS net_revenue_per_order
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
