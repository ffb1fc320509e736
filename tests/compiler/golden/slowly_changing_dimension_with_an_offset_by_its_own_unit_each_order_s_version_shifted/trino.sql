WITH scan_orders AS (
  /* Scan orders: order_total */
  SELECT
    DATE_TRUNC('MONTH', t0.ordered_at) AS metric_time__month,
    t1.plan AS customer__plan,
    SUM(t0.amount) AS order_total,
    SUM(t0.amount) AS revenue__source
  FROM main.orders AS t0
  LEFT JOIN main.customer_plans AS t1
    ON t0.customer_id = t1.customer_id
    AND (
      DATE_TRUNC('DAY', t0.ordered_at) >= DATE_TRUNC('DAY', t1.valid_from)
      AND (
        DATE_TRUNC('DAY', t0.ordered_at) < DATE_TRUNC('DAY', t1.valid_to)
        OR t1.valid_to IS NULL
      )
    )
  GROUP BY
    1,
    2
), offset_revenue AS (
  /* order_total offset by 1 month */
  SELECT
    sp.period AS metric_time__month,
    s.customer__plan AS customer__plan,
    s.revenue__source AS revenue
  FROM (
    SELECT DISTINCT
      DATE_TRUNC('MONTH', spine.date_day) AS period
    FROM main.time_spine_daily AS spine
  ) AS sp
  INNER JOIN scan_orders AS s
    ON sp.period - INTERVAL '1' MONTH = s.metric_time__month
), combined AS (
  /* Combine: one row per group across all steps */
  SELECT
    metric_time__month,
    customer__plan,
    MAX(order_total) AS order_total,
    MAX(revenue) AS revenue
  FROM (
    SELECT
      metric_time__month,
      customer__plan,
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
      customer__plan,
      NULL AS order_total,
      revenue
    FROM offset_revenue
  ) AS u
  GROUP BY
    metric_time__month,
    customer__plan
)
SELECT
  metric_time__month,
  customer__plan,
  (
    order_total
  ) - (
    revenue
  ) AS revenue_growth_mom
FROM combined
ORDER BY
  1,
  2
