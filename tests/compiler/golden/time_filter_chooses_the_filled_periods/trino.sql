WITH scan_orders AS (
  /* Scan orders: order_count */
  SELECT
    DATE_TRUNC('MONTH', t0.ordered_at) AS metric_time__month,
    COUNT(t0.order_id) AS order_count__source
  FROM main.orders AS t0
  WHERE
    DATE_TRUNC('DAY', t0.ordered_at) >= '2024-06-10'
  GROUP BY
    1
), filled_order_count AS (
  /* order_count joined to every time spine period */
  SELECT
    sp.period AS metric_time__month,
    s.order_count__source AS order_count
  FROM (
    SELECT DISTINCT
      DATE_TRUNC('MONTH', spine.date_day) AS period
    FROM main.time_spine_daily AS spine
    WHERE
      DATE_TRUNC('DAY', spine.date_day) >= '2024-06-10'
  ) AS sp
  LEFT JOIN scan_orders AS s
    ON s.metric_time__month = sp.period
)
SELECT
  metric_time__month,
  COALESCE(order_count, 0) AS orders_filled
FROM filled_order_count
ORDER BY
  1
