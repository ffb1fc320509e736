WITH scan_orders AS (
  /* Scan orders: order_total */
  SELECT
    CAST(t0.ordered_at AS DATE) AS metric_time__day,
    SUM(t0.amount) AS revenue__source
  FROM main.orders AS t0
  GROUP BY
    1
), offset_revenue AS (
  /* order_total offset by 7 day */
  SELECT
    sp.period AS metric_time__day,
    s.revenue__source AS revenue
  FROM (
    SELECT DISTINCT
      CAST(spine.date_day AS DATE) AS period
    FROM main.time_spine_daily AS spine
  ) AS sp
  INNER JOIN scan_orders AS s
    ON sp.period - INTERVAL '7' DAY = s.metric_time__day
)
SELECT
  metric_time__day,
  (
    revenue
  ) AS revenue_prev_week
FROM offset_revenue
ORDER BY
  1
