SELECT
  t2.continent AS customer__region__continent,
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
LEFT JOIN main.regions AS t2
  ON t1.region_id = t2.region_id
GROUP BY
  1
ORDER BY
  1
