SELECT
  snap_last.metric_time__month AS metric_time__month,
  SUM(__v_total_balance) AS total_balance
FROM (
  SELECT
    DATE_TRUNC('MONTH', t0.balance_date) AS metric_time__month,
    t0.balance AS __v_total_balance,
    CAST(t0.balance_date AS DATE) AS __snapshot_day
  FROM main.balances AS t0
) AS snap
JOIN (
  SELECT
    metric_time__month,
    MAX(__snapshot_day) AS __complete_day
  FROM (
    SELECT
      DATE_TRUNC('MONTH', t0.balance_date) AS metric_time__month,
      CAST(t0.balance_date AS DATE) AS __snapshot_day
    FROM main.balances AS t0
  ) AS snap
  GROUP BY
    metric_time__month
) AS snap_last
  ON snap.__snapshot_day = snap_last.__complete_day
GROUP BY
  snap_last.metric_time__month
ORDER BY
  1
