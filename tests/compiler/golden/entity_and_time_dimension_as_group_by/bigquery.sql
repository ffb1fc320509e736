SELECT
  t0.customer_id AS customer,
  DATE_TRUNC(t0.shipped_at, YEAR) AS order__shipped_at__year,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
GROUP BY
  1,
  2
ORDER BY
  1,
  2
