SELECT
  t1.segment AS customer__segment,
  CAST(SUM(CASE WHEN t0.status = 'completed' THEN t0.amount END) AS DOUBLE) / CAST(NULLIF(SUM(t0.amount), 0) AS DOUBLE) AS completed_share
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
GROUP BY
  1
ORDER BY
  1
