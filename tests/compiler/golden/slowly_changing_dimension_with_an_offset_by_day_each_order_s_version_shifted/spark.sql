WITH scan_orders AS (
  /* Scan orders: order_total */
  SELECT
    CAST(t0.ordered_at AS DATE) AS metric_time__day,
    t1.plan AS customer__plan,
    SUM(t0.amount) AS revenue__source
  FROM main.orders AS t0
  LEFT JOIN main.customer_plans AS t1
    ON t0.customer_id = t1.customer_id
    AND (
      CAST(t0.ordered_at AS DATE) >= CAST(t1.valid_from AS DATE)
      AND (
        CAST(t0.ordered_at AS DATE) < CAST(t1.valid_to AS DATE) OR t1.valid_to IS NULL
      )
    )
  GROUP BY
    1,
    2
), offset_revenue AS (
  /* order_total offset by 7 day */
  SELECT
    sp.period AS metric_time__day,
    s.customer__plan AS customer__plan,
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
  customer__plan,
  (
    revenue
  ) AS revenue_prev_week
FROM offset_revenue
ORDER BY
  1,
  2
