WITH scan_orders AS (
  /* Scan orders: order_total */
  SELECT
    CAST(t0.ordered_at AS DATE) AS metric_time__day,
    SUM(t0.amount) AS order_total,
    SUM(t0.amount) AS revenue__source
  FROM main.orders AS t0
  GROUP BY
    1
), offset_revenue AS (
  /* order_total offset by to the start of the month */
  SELECT
    sp.period AS metric_time__day,
    s.revenue__source AS revenue
  FROM (
    SELECT DISTINCT
      CAST(spine.date_day AS DATE) AS period
    FROM main.time_spine_daily AS spine
  ) AS sp
  INNER JOIN scan_orders AS s
    ON TRUNC(sp.period, 'MONTH') = s.metric_time__day
), combined AS (
  /* Combine: one row per group across all steps */
  SELECT
    metric_time__day,
    MAX(order_total) AS order_total,
    MAX(revenue) AS revenue
  FROM (
    SELECT
      metric_time__day,
      order_total,
      (
        SELECT
          revenue
        FROM offset_revenue
        WHERE
          FALSE
      ) AS revenue
    FROM scan_orders
    UNION ALL
    SELECT
      metric_time__day,
      NULL AS order_total,
      revenue
    FROM offset_revenue
  ) AS u
  GROUP BY
    metric_time__day
)
SELECT
  metric_time__day,
  (
    order_total
  ) - (
    revenue
  ) AS revenue_at_month_start_delta
FROM combined
ORDER BY
  1
