SELECT
  TRUNC(t0.ordered_at, 'YEAR') AS metric_time__year,
  t1.segment AS customer__segment,
  SUM(t0.amount) AS revenue
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
LEFT JOIN main.customer_plans AS t2
  ON t0.customer_id = t2.customer_id
  AND (
    CAST(t0.ordered_at AS DATE) >= CAST(t2.valid_from AS DATE)
    AND (
      CAST(t0.ordered_at AS DATE) < CAST(t2.valid_to AS DATE) OR t2.valid_to IS NULL
    )
  )
WHERE
  t2.plan = 'premium'
GROUP BY
  1,
  2
ORDER BY
  1,
  2
