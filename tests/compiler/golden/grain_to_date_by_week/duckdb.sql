WITH cumulative_revenue_mtd_daily AS (
  /* Cumulative order_total: daily */
  SELECT
    *,
    DENSE_RANK() OVER (ORDER BY 1) AS gid
  FROM (
    SELECT
      CAST(t0.ordered_at AS DATE) AS day,
      SUM(t0.amount) AS v,
      COUNT(t0.amount) AS w,
      COUNT(*) AS n
    FROM main.orders AS t0
    GROUP BY
      1
  ) AS a
), cumulative_revenue_mtd_grid AS (
  /* Cumulative order_total: grid */
  SELECT
    gid,
    day,
    MAX(in_spine) AS in_spine
  FROM (
    SELECT
      b.gid,
      spine.date_day AS day,
      1 AS in_spine
    FROM main.time_spine_daily AS spine
    INNER JOIN (
      SELECT
        gid,
        MIN(day) AS first_day,
        MAX(day) AS last_day
      FROM cumulative_revenue_mtd_daily
      GROUP BY
        gid
    ) AS b
      ON spine.date_day >= b.first_day
      AND spine.date_day < DATE_TRUNC('MONTH', b.last_day) + INTERVAL '1' MONTH
    UNION ALL
    SELECT
      gid,
      day,
      0 AS in_spine
    FROM cumulative_revenue_mtd_daily
  ) AS g
  GROUP BY
    gid,
    day
), cumulative_revenue_mtd_series AS (
  /* Cumulative order_total: series */
  SELECT
    g.gid,
    g.day,
    g.in_spine,
    SUM(COALESCE(d.v, 0)) OVER (
      PARTITION BY g.gid, DATE_TRUNC('MONTH', g.day)
      ORDER BY g.day
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS p_v,
    SUM(COALESCE(d.w, 0)) OVER (
      PARTITION BY g.gid, DATE_TRUNC('MONTH', g.day)
      ORDER BY g.day
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS p_w,
    SUM(COALESCE(d.n, 0)) OVER (
      PARTITION BY g.gid, DATE_TRUNC('MONTH', g.day)
      ORDER BY g.day
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS p_n
  FROM cumulative_revenue_mtd_grid AS g
  LEFT JOIN cumulative_revenue_mtd_daily AS d
    ON d.gid = g.gid AND d.day = g.day
), cumulative_revenue_mtd_window AS (
  /* Cumulative order_total: window */
  SELECT
    s.gid,
    s.day,
    CASE WHEN s.p_w > 0 THEN s.p_v END AS value,
    s.p_n AS rows_in_window
  FROM cumulative_revenue_mtd_series AS s
  WHERE
    s.in_spine = 1
), cumulative_revenue_mtd AS (
  /* Cumulative order_total: result */
  SELECT
    DATE_TRUNC('WEEK', day) AS metric_time__week,
    value AS revenue_mtd
  FROM (
    SELECT
      *,
      ROW_NUMBER() OVER (PARTITION BY gid, DATE_TRUNC('WEEK', day) ORDER BY day ASC) AS rn
    FROM cumulative_revenue_mtd_window
    WHERE
      rows_in_window > 0
  ) AS k
  WHERE
    rn = 1
)
SELECT
  metric_time__week,
  revenue_mtd AS revenue_mtd
FROM cumulative_revenue_mtd
ORDER BY
  1
