SELECT
  DATE_TRUNC(t0.ordered_at, MONTH) AS metric_time__month,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
LEFT JOIN (
  SELECT
    t0.customer_id AS customer,
    SUM(t0.amount) AS revenue
  FROM main.orders AS t0
  GROUP BY
    1
) AS t_m0
  ON t_m0.customer = t0.customer_id
WHERE
  t_m0.revenue >= 500 AND t1.segment <> 'SMB'
GROUP BY
  1
ORDER BY
  1
