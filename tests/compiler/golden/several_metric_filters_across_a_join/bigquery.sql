SELECT
  t0.status AS order__status,
  SUM(t0.amount) AS smb_revenue
FROM main.orders AS t0
LEFT JOIN main.customers AS t1
  ON t0.customer_id = t1.customer_id
WHERE
  t1.segment = 'SMB' AND t0.status <> 'cancelled'
GROUP BY
  1
ORDER BY
  1
