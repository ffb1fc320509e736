WITH scan_visits AS (
  /* Scan visits: visit_count */
  SELECT
    DATE_TRUNC(t0.visited_at, MONTH) AS metric_time__month,
    COUNT(t0.visit_id) AS visit_count
  FROM main.visits AS t0
  GROUP BY
    1
), conversion_visit_to_order_rate_base AS (
  /* Conversions on order_count: base */
  SELECT
    b0.customer_id AS ent,
    CAST(b0.visited_at AS DATE) AS day
  FROM main.visits AS b0
  WHERE
    NOT b0.customer_id IS NULL
), conversion_visit_to_order_rate_events AS (
  /* Conversions on order_count: events */
  SELECT
    c0.customer_id AS ent,
    CAST(c0.ordered_at AS DATE) AS day,
    c0.order_id AS val
  FROM main.orders AS c0
  WHERE
    NOT c0.customer_id IS NULL
), conversion_visit_to_order_rate_matched AS (
  /* Conversions on order_count: matched */
  SELECT
    ent,
    day,
    is_conversion,
    val,
    MAX(CASE WHEN is_conversion = 0 THEN day END) OVER (
      PARTITION BY ent
      ORDER BY day, is_conversion
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS base_day
  FROM (
    SELECT
      ent,
      day,
      0 AS is_conversion,
      NULL AS val
    FROM conversion_visit_to_order_rate_base
    UNION ALL
    SELECT
      ent,
      day,
      1 AS is_conversion,
      val
    FROM conversion_visit_to_order_rate_events
  ) AS s
), conversion_visit_to_order_rate_credited AS (
  /* Conversions on order_count: credited */
  SELECT
    ent,
    base_day,
    val
  FROM conversion_visit_to_order_rate_matched
  WHERE
    is_conversion = 1
    AND NOT base_day IS NULL
    AND base_day > CAST(day - INTERVAL '7' DAY AS DATE)
), conversion_visit_to_order_rate AS (
  /* Conversions on order_count: result */
  SELECT
    DATE_TRUNC(c.base_day, MONTH) AS metric_time__month,
    COUNT(c.val) AS visit_to_order_rate
  FROM conversion_visit_to_order_rate_credited AS c
  GROUP BY
    1
), combined AS (
  /* Combine: one row per group across all steps */
  SELECT
    metric_time__month,
    MAX(visit_to_order_rate) AS visit_to_order_rate,
    MAX(visit_count) AS visit_count
  FROM (
    SELECT
      metric_time__month,
      visit_to_order_rate,
      (
        SELECT
          visit_count
        FROM scan_visits
        WHERE
          FALSE
      ) AS visit_count
    FROM conversion_visit_to_order_rate
    UNION ALL
    SELECT
      metric_time__month,
      NULL AS visit_to_order_rate,
      visit_count
    FROM scan_visits
  ) AS u
  GROUP BY
    metric_time__month
)
SELECT
  metric_time__month,
  CAST(visit_to_order_rate AS FLOAT64) / CAST(NULLIF(visit_count, 0) AS FLOAT64) AS visit_to_order_rate
FROM combined
ORDER BY
  1
