WITH scan_visits AS (
  /* Scan visits: visit_count */
  SELECT
    COUNT(t0.visit_id) AS visit_count
  FROM main.visits AS t0
), conversion_visit_to_order_rate_all_time_base AS (
  /* Conversions on order_count: base */
  SELECT
    b0.customer_id AS ent,
    CAST(b0.visited_at AS DATE) AS day
  FROM main.visits AS b0
  WHERE
    NOT b0.customer_id IS NULL
), conversion_visit_to_order_rate_all_time_events AS (
  /* Conversions on order_count: events */
  SELECT
    c0.customer_id AS ent,
    CAST(c0.ordered_at AS DATE) AS day,
    c0.order_id AS val
  FROM main.orders AS c0
  WHERE
    NOT c0.customer_id IS NULL
), conversion_visit_to_order_rate_all_time_matched AS (
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
    FROM conversion_visit_to_order_rate_all_time_base
    UNION ALL
    SELECT
      ent,
      day,
      1 AS is_conversion,
      val
    FROM conversion_visit_to_order_rate_all_time_events
  ) AS s
), conversion_visit_to_order_rate_all_time_credited AS (
  /* Conversions on order_count: credited */
  SELECT
    ent,
    base_day,
    val
  FROM conversion_visit_to_order_rate_all_time_matched
  WHERE
    is_conversion = 1 AND NOT base_day IS NULL
), conversion_visit_to_order_rate_all_time AS (
  /* Conversions on order_count: result */
  SELECT
    COUNT(c.val) AS visit_to_order_rate_all_time
  FROM conversion_visit_to_order_rate_all_time_credited AS c
), combined AS (
  /* Combine: one row per group across all steps */
  SELECT
    MAX(visit_to_order_rate_all_time) AS visit_to_order_rate_all_time,
    MAX(visit_count) AS visit_count
  FROM (
    SELECT
      visit_to_order_rate_all_time,
      (
        SELECT
          visit_count
        FROM scan_visits
        WHERE
          FALSE
      ) AS visit_count
    FROM conversion_visit_to_order_rate_all_time
    UNION ALL
    SELECT
      NULL AS visit_to_order_rate_all_time,
      visit_count
    FROM scan_visits
  ) AS u
)
SELECT
  CAST(visit_to_order_rate_all_time AS FLOAT64) / CAST(NULLIF(visit_count, 0) AS FLOAT64) AS visit_to_order_rate_all_time
FROM combined
