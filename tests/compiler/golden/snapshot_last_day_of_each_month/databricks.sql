SELECT
  metric_time__month,
  SUM(__v_total_balance) AS total_balance
FROM (
  SELECT
    TRUNC(t0.balance_date, 'MONTH') AS metric_time__month,
    t0.balance AS __v_total_balance,
    TRUNC(t0.balance_date, 'DAY') AS __snapshot_day,
    MAX(TRUNC(t0.balance_date, 'DAY')) OVER (PARTITION BY TRUNC(t0.balance_date, 'MONTH')) AS __complete_day
  FROM main.balances AS t0
) AS snap
WHERE
  __snapshot_day = __complete_day
GROUP BY
  metric_time__month
ORDER BY
  1
