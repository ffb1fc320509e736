SELECT
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
WHERE
  t0.ordered_at >= CAST('2023-03-15' AS DATE)
  AND t0.ordered_at < CAST('2023-06-10' AS DATE)
