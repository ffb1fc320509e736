WITH scan_orders AS (
  /* Scan orders: order_total */
  SELECT
    DATE_TRUNC('MONTH', t0.ordered_at) AS metric_time__month,
    SUM(t0.amount) AS order_total
  FROM main.orders AS t0
  WHERE
    DATE_TRUNC('MONTH', t0.ordered_at) >= '2024-06-01'
  GROUP BY
    1
), scan_orders_2 AS (
  /* Scan orders: order_total */
  SELECT
    DATE_TRUNC('MONTH', t0.ordered_at) AS metric_time__month,
    SUM(t0.amount) AS revenue__source
  FROM main.orders AS t0
  WHERE
    t0.ordered_at >= CAST('2024-05-01' AS DATE)
  GROUP BY
    1
), offset_revenue AS (
  /* order_total offset by 1 month */
  SELECT
    sp.period AS metric_time__month,
    s.revenue__source AS revenue
  FROM (
    SELECT DISTINCT
      DATE_TRUNC('MONTH', spine.date_day) AS period
    FROM main.time_spine_daily AS spine
    WHERE
      DATE_TRUNC('MONTH', spine.date_day) >= '2024-06-01'
  ) AS sp
  INNER JOIN scan_orders_2 AS s
    ON sp.period - INTERVAL '1 MONTH' = s.metric_time__month
), combined AS (
  /* Combine: one row per group across all steps */
  SELECT
    metric_time__month,
    MAX(order_total) AS order_total,
    MAX(revenue) AS revenue
  FROM (
    SELECT
      metric_time__month,
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
      metric_time__month,
      NULL AS order_total,
      revenue
    FROM offset_revenue
  ) AS u
  GROUP BY
    metric_time__month
)
SELECT
  metric_time__month,
  (
    order_total
  ) - (
    revenue
  ) AS revenue_growth_mom
FROM combined
ORDER BY
  1
