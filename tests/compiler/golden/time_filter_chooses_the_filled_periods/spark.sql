WITH scan_orders AS (
  /* Scan orders: order_count */
  SELECT
    TRUNC(t0.ordered_at, 'MONTH') AS metric_time__month,
    COUNT(t0.order_id) AS order_count__source
  FROM main.orders AS t0
  WHERE
    CAST(t0.ordered_at AS DATE) >= '2024-06-10'
  GROUP BY
    1
), filled_order_count AS (
  /* order_count joined to every time spine period */
  SELECT
    sp.period AS metric_time__month,
    s.order_count__source AS order_count
  FROM (
    SELECT DISTINCT
      TRUNC(spine.date_day, 'MONTH') AS period
    FROM main.time_spine_daily AS spine
    WHERE
      CAST(spine.date_day AS DATE) >= '2024-06-10'
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
