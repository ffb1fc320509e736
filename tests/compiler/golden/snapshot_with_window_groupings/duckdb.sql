SELECT
  metric_time__quarter,
  SUM(__v_opening_balance_per_customer) AS opening_balance
FROM (
  SELECT
    DATE_TRUNC('QUARTER', t0.balance_date) AS metric_time__quarter,
    t0.balance AS __v_opening_balance_per_customer,
    CAST(t0.balance_date AS DATE) AS __snapshot_day,
    MIN(CAST(t0.balance_date AS DATE)) OVER (PARTITION BY DATE_TRUNC('QUARTER', t0.balance_date), t0.customer_id) AS __complete_day
  FROM main.balances AS t0
) AS snap
WHERE
  __snapshot_day = __complete_day
GROUP BY
  metric_time__quarter
ORDER BY
  1
