WITH scan_orders AS (
  /* Scan orders: order_count */
  SELECT
    DATE_TRUNC(t0.ordered_at, MONTH) AS metric_time__month,
    t1.segment AS customer__segment,
    COUNT(t0.order_id) AS order_count
  FROM main.orders AS t0
  LEFT JOIN main.customers AS t1
    ON t0.customer_id = t1.customer_id
  GROUP BY
    1,
    2
), scan_visits AS (
  /* Scan visits: visit_count */
  SELECT
    DATE_TRUNC(t0.visited_at, MONTH) AS metric_time__month,
    t1.segment AS customer__segment,
    COUNT(t0.visit_id) AS visit_count
  FROM main.visits AS t0
  LEFT JOIN main.customers AS t1
    ON t0.customer_id = t1.customer_id
  GROUP BY
    1,
    2
), combined AS (
  /* Combine: one row per group across all steps */
  SELECT
    metric_time__month,
    customer__segment,
    MAX(order_count) AS order_count,
    MAX(visit_count) AS visit_count
  FROM (
    SELECT
      metric_time__month,
      customer__segment,
      order_count,
      (
        SELECT
          visit_count
        FROM scan_visits
        WHERE
          FALSE
      ) AS visit_count
    FROM scan_orders
    UNION ALL
    SELECT
      metric_time__month,
      customer__segment,
      NULL AS order_count,
      visit_count
    FROM scan_visits
  ) AS u
  GROUP BY
    metric_time__month,
    customer__segment
)
SELECT
  metric_time__month,
  customer__segment,
  CAST(order_count AS FLOAT64) / CAST(NULLIF(visit_count, 0) AS FLOAT64) AS orders_per_visit
FROM combined
ORDER BY
  1,
  2
