SELECT
  customer__segment,
  SUM(__v_total_balance) AS total_balance
FROM (
  SELECT
    t1.segment AS customer__segment,
    t0.balance AS __v_total_balance,
    DATE_TRUNC('DAY', t0.balance_date) AS __snapshot_day,
    MAX(DATE_TRUNC('DAY', t0.balance_date)) OVER () AS __complete_day
  FROM main.balances AS t0
  LEFT JOIN main.customers AS t1
    ON t0.customer_id = t1.customer_id
) AS snap
WHERE
  __snapshot_day = __complete_day
GROUP BY
  customer__segment
ORDER BY
  1
