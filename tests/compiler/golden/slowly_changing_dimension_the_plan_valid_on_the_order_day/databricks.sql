SELECT
  t1.plan AS customer__plan,
  SUM(t0.amount) AS revenue,
  COUNT(t0.order_id) AS orders
FROM main.orders AS t0
LEFT JOIN main.customer_plans AS t1
  ON t0.customer_id = t1.customer_id
  AND (
    CAST(t0.ordered_at AS DATE) >= CAST(t1.valid_from AS DATE)
    AND (
      CAST(t0.ordered_at AS DATE) < CAST(t1.valid_to AS DATE) OR t1.valid_to IS NULL
    )
  )
GROUP BY
  1
ORDER BY
  1
