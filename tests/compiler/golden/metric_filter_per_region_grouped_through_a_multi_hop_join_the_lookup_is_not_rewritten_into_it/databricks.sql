SELECT
  t1.t2_continent AS customer__region__continent,
  SUM(t0.amount) AS revenue,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
LEFT JOIN (
  SELECT
    t1.customer_id AS __k,
    t2.continent AS t2_continent,
    t1.region_id AS t1_region_id
  FROM main.customers AS t1
  LEFT JOIN main.regions AS t2
    ON t1.region_id = t2.region_id
) AS t1
  ON t0.customer_id = t1.__k
LEFT JOIN (
  SELECT
    t1.region_id AS region,
    SUM(t0.amount) AS revenue
  FROM main.orders AS t0
  LEFT JOIN main.customers AS t1
    ON t0.customer_id = t1.customer_id
  GROUP BY
    1
) AS t_m0
  ON t_m0.region = t1.t1_region_id
WHERE
  t_m0.revenue > 60000
GROUP BY
  1
ORDER BY
  1
