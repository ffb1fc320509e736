WITH cumulative_cumulative_revenue_daily AS (
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
), cumulative_cumulative_revenue_grid AS (
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
      FROM cumulative_cumulative_revenue_daily
      GROUP BY
        gid
    ) AS b
      ON spine.date_day >= b.first_day
    UNION ALL
    SELECT
      gid,
      day,
      0 AS in_spine
    FROM cumulative_cumulative_revenue_daily
  ) AS g
  GROUP BY
    gid,
    day
), cumulative_cumulative_revenue_series AS (
  /* Cumulative order_total: series */
  SELECT
    g.gid,
    g.day,
    g.in_spine,
    SUM(COALESCE(d.v, 0)) OVER (PARTITION BY g.gid ORDER BY g.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS p_v,
    SUM(COALESCE(d.w, 0)) OVER (PARTITION BY g.gid ORDER BY g.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS p_w,
    SUM(COALESCE(d.n, 0)) OVER (PARTITION BY g.gid ORDER BY g.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS p_n
  FROM cumulative_cumulative_revenue_grid AS g
  LEFT JOIN cumulative_cumulative_revenue_daily AS d
    ON d.gid = g.gid AND d.day = g.day
), cumulative_cumulative_revenue_window AS (
  /* Cumulative order_total: window */
  SELECT
    s.gid,
    s.day,
    CASE WHEN s.p_w > 0 THEN s.p_v END AS value,
    s.p_n AS rows_in_window
  FROM cumulative_cumulative_revenue_series AS s
  WHERE
    s.in_spine = 1
), cumulative_cumulative_revenue AS (
  /* Cumulative order_total: result */
  SELECT
    DATE_TRUNC('DAY', day) AS metric_time__day,
    value AS cumulative_revenue
  FROM (
    SELECT
      *
    FROM cumulative_cumulative_revenue_window
    WHERE
      rows_in_window > 0
  ) AS k
)
SELECT
  metric_time__day,
  cumulative_revenue AS cumulative_revenue
FROM cumulative_cumulative_revenue
ORDER BY
  1
