WITH scan_orders AS (
  /* Scan orders: order_count */
  SELECT
    DATE_TRUNC('QUARTER', t0.ordered_at) AS metric_time__quarter,
    COUNT(t0.order_id) AS order_count
  FROM main.orders AS t0
  GROUP BY
    1
), scan_order_items AS (
  /* Scan order_items: quantity */
  SELECT
    DATE_TRUNC('QUARTER', t0.ordered_at) AS metric_time__quarter,
    SUM(t0.quantity) AS quantity
  FROM main.order_items AS t0
  GROUP BY
    1
), combined AS (
  /* Combine: one row per group across all steps */
  SELECT
    metric_time__quarter,
    MAX(order_count) AS order_count,
    MAX(quantity) AS quantity
  FROM (
    SELECT
      metric_time__quarter,
      order_count,
      (
        SELECT
          quantity
        FROM scan_order_items
        WHERE
          FALSE
      ) AS quantity
    FROM scan_orders
    UNION ALL
    SELECT
      metric_time__quarter,
      NULL AS order_count,
      quantity
    FROM scan_order_items
  ) AS u
  GROUP BY
    metric_time__quarter
)
SELECT
  metric_time__quarter,
  CAST((
    quantity
  ) * 1.0 AS DOUBLE) / (
    order_count
  ) AS items_per_order
FROM combined
ORDER BY
  1
