SELECT
  COUNT(t0.customer_id) AS new_customers
FROM main.customers AS t0
INNER JOIN (
  SELECT DISTINCT
    t1_0.customer_id AS k
  FROM main.orders AS t1_0
  WHERE
    t1_0.status IN ('completed', 'returned')
) AS t1
  ON t0.customer_id = t1.k
