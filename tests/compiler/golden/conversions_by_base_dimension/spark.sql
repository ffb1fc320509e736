WITH scan_visits AS (
  /* Scan visits: visit_count */
  SELECT
    t1.segment AS customer__segment,
    COUNT(t0.visit_id) AS visit_count
  FROM main.visits AS t0
  LEFT JOIN main.customers AS t1
    ON t0.customer_id = t1.customer_id
  GROUP BY
    1
), conversion_visit_conversions_base AS (
  /* Conversions on order_count: base */
  SELECT
    b0.customer_id AS ent,
    CAST(b0.visited_at AS DATE) AS day,
    b1.segment AS customer__segment
  FROM main.visits AS b0
  LEFT JOIN main.customers AS b1
    ON b0.customer_id = b1.customer_id
  WHERE
    NOT b0.customer_id IS NULL
), conversion_visit_conversions_events AS (
  /* Conversions on order_count: events */
  SELECT
    c0.customer_id AS ent,
    CAST(c0.ordered_at AS DATE) AS day,
    c0.order_id AS val
  FROM main.orders AS c0
  WHERE
    NOT c0.customer_id IS NULL
), conversion_visit_conversions_matched AS (
  /* Conversions on order_count: matched */
  SELECT
    ent,
    day,
    is_conversion,
    val,
    MAX(CASE WHEN is_conversion = 0 THEN day END) OVER (
      PARTITION BY ent
      ORDER BY day NULLS LAST, is_conversion NULLS LAST
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS base_day
  FROM (
    SELECT
      ent,
      day,
      0 AS is_conversion,
      NULL AS val
    FROM conversion_visit_conversions_base
    UNION ALL
    SELECT
      ent,
      day,
      1 AS is_conversion,
      val
    FROM conversion_visit_conversions_events
  ) AS s
), conversion_visit_conversions_credited AS (
  /* Conversions on order_count: credited */
  SELECT
    ent,
    base_day,
    val
  FROM conversion_visit_conversions_matched
  WHERE
    is_conversion = 1
    AND NOT base_day IS NULL
    AND base_day > CAST(day - INTERVAL '7' DAY AS DATE)
), conversion_visit_conversions_dims AS (
  /* Conversions on order_count: dims */
  SELECT
    *
  FROM (
    SELECT
      ent,
      day,
      customer__segment,
      ROW_NUMBER() OVER (PARTITION BY ent, day ORDER BY customer__segment NULLS LAST) AS rn
    FROM conversion_visit_conversions_base
  ) AS r
  WHERE
    rn = 1
), conversion_visit_conversions AS (
  /* Conversions on order_count: result */
  SELECT
    p.customer__segment,
    COUNT(c.val) AS visit_conversions
  FROM conversion_visit_conversions_credited AS c
  INNER JOIN conversion_visit_conversions_dims AS p
    ON p.ent = c.ent AND p.day = c.base_day
  GROUP BY
    1
), combined AS (
  /* Combine: one row per group across all steps */
  SELECT
    customer__segment,
    MAX(visit_conversions) AS visit_conversions,
    MAX(visit_count) AS visit_count
  FROM (
    SELECT
      customer__segment,
      visit_conversions,
      (
        SELECT
          visit_count
        FROM scan_visits
        WHERE
          FALSE
      ) AS visit_count
    FROM conversion_visit_conversions
    UNION ALL
    SELECT
      customer__segment,
      NULL AS visit_conversions,
      visit_count
    FROM scan_visits
  ) AS u
  GROUP BY
    customer__segment
)
SELECT
  customer__segment,
  visit_conversions AS visit_conversions
FROM combined
ORDER BY
  1
