SELECT
  snap.customer__segment AS customer__segment,
  SUM(__v_total_balance) AS total_balance
FROM (
  SELECT
    t1.segment AS customer__segment,
    t0.balance AS __v_total_balance,
    CAST(t0.balance_date AS DATE) AS __snapshot_day
  FROM main.balances AS t0
  LEFT JOIN main.customers AS t1
    ON t0.customer_id = t1.customer_id
) AS snap
JOIN (
  SELECT
    MAX(__snapshot_day) AS __complete_day
  FROM (
    SELECT
      CAST(t0.balance_date AS DATE) AS __snapshot_day
    FROM main.balances AS t0
  ) AS snap
) AS snap_last
  ON snap.__snapshot_day = snap_last.__complete_day
GROUP BY
  customer__segment
ORDER BY
  1
