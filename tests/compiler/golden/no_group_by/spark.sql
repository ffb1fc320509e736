SELECT
  SUM(t0.amount) AS revenue,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
