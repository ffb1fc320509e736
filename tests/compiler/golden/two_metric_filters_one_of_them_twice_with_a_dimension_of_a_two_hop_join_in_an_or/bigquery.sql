SELECT
  t0.status AS order__status,
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
LEFT JOIN (
  SELECT
    t0.customer_id AS customer,
    SUM(t0.amount) AS revenue
  FROM main.orders AS t0
  GROUP BY
    1
) AS t_m0
  ON t_m0.customer = t0.customer_id
LEFT JOIN (
  SELECT
    t0.customer_id AS customer,
    COUNT(t0.order_id) AS orders
  FROM main.orders AS t0
  GROUP BY
    1
) AS t_m1
  ON t_m1.customer = t0.customer_id
WHERE
  (
    t_m0.revenue > 500 AND t_m1.orders >= 3
  )
  OR (
    t_m0.revenue < 50 AND t1.t2_continent = 'Asia'
  )
GROUP BY
  1
ORDER BY
  1
