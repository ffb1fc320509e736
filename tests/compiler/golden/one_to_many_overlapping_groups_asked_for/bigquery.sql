SELECT
  t1.c0 AS order__status,
  COUNT(t0.customer_id) AS new_customers
FROM main.customers AS t0
LEFT JOIN (
  SELECT DISTINCT
    t1_0.customer_id AS k,
    t1_0.status AS c0
  FROM main.orders AS t1_0
) AS t1
  ON t0.customer_id = t1.k
GROUP BY
  1
ORDER BY
  1
