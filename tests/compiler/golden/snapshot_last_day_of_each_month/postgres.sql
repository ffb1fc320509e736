SELECT
  metric_time__month,
  SUM(__v_total_balance) AS total_balance
FROM (
  SELECT
    DATE_TRUNC('MONTH', t0.balance_date) AS metric_time__month,
    t0.balance AS __v_total_balance,
    DATE_TRUNC('DAY', t0.balance_date) AS __snapshot_day,
    MAX(DATE_TRUNC('DAY', t0.balance_date)) OVER (PARTITION BY DATE_TRUNC('MONTH', t0.balance_date)) AS __complete_day
  FROM main.balances AS t0
) AS snap
WHERE
  __snapshot_day = __complete_day
GROUP BY
  metric_time__month
ORDER BY
  1
