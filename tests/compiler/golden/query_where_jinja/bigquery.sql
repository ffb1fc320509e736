SELECT
  DATE_TRUNC(t0.ordered_at, MONTH) AS metric_time__month,
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
WHERE
  t1.segment = 'Enterprise'
GROUP BY
  1
ORDER BY
  1
