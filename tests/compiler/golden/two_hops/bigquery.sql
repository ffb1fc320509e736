SELECT
  t1.t2_continent AS customer__region__continent,
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
LEFT JOIN (
  SELECT
    t1.customer_id AS __k,
    t2.continent AS t2_continent
  FROM main.customers AS t1
  LEFT JOIN main.regions AS t2
    ON t1.region_id = t2.region_id
) AS t1
  ON t0.customer_id = t1.__k
GROUP BY
  1
ORDER BY
  1
