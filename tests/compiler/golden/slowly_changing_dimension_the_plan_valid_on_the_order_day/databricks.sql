SELECT
  t1.plan AS customer__plan,
  SUM(t0.amount) AS revenue,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
LEFT JOIN main.customer_plans AS t1
  ON t0.customer_id = t1.customer_id
  AND (
    TRUNC(t0.ordered_at, 'DAY') >= TRUNC(t1.valid_from, 'DAY')
    AND (
      TRUNC(t0.ordered_at, 'DAY') < TRUNC(t1.valid_to, 'DAY') OR t1.valid_to IS NULL
    )
  )
GROUP BY
  1
ORDER BY
  1
