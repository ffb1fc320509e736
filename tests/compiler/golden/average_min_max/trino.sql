SELECT
  t0.status AS order__status,
  AVG(t0.amount) AS avg_order_value,
  MIN(t0.amount) AS min_order_value,
  MAX(t0.amount) AS max_order_value
FROM main.orders AS t0
GROUP BY
  1
ORDER BY
  1
