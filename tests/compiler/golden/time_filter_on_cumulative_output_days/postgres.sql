WITH cumulative_revenue_3m_daily AS (
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
    WHERE
      t0.ordered_at >= CAST('2023-12-05' AS DATE)
      AND t0.ordered_at < CAST('2024-04-21' AS DATE)
    GROUP BY
      1
  ) AS a
), cumulative_revenue_3m_grid AS (
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
      FROM cumulative_revenue_3m_daily
      GROUP BY
        gid
    ) AS b
      ON spine.date_day >= b.first_day
      AND spine.date_day < b.last_day + INTERVAL '3 MONTH'
      AND spine.date_day < CAST('2024-04-21' AS DATE)
    UNION ALL
    SELECT
      gid,
      day,
      0 AS in_spine
    FROM cumulative_revenue_3m_daily
  ) AS g
  GROUP BY
    gid,
    day
), cumulative_revenue_3m_series AS (
  /* Cumulative order_total: series */
  SELECT
    g.gid,
    g.day,
    g.in_spine,
    SUM(COALESCE(d.v, 0)) OVER (PARTITION BY g.gid ORDER BY g.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS p_v,
    SUM(COALESCE(d.w, 0)) OVER (PARTITION BY g.gid ORDER BY g.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS p_w,
    SUM(COALESCE(d.n, 0)) OVER (PARTITION BY g.gid ORDER BY g.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS p_n
  FROM cumulative_revenue_3m_grid AS g
  LEFT JOIN cumulative_revenue_3m_daily AS d
    ON d.gid = g.gid AND d.day = g.day
), cumulative_revenue_3m_window AS (
  /* Cumulative order_total: window */
  SELECT
    s.gid,
    s.day,
    CASE WHEN s.p_w - COALESCE(e.p_w, 0) > 0 THEN s.p_v - COALESCE(e.p_v, 0) END AS value,
    s.p_n - COALESCE(e.p_n, 0) AS rows_in_window
  FROM cumulative_revenue_3m_series AS s
  LEFT JOIN cumulative_revenue_3m_series AS e
    ON e.gid = s.gid AND e.day = CAST(s.day - INTERVAL '3 MONTH' AS DATE)
  WHERE
    s.in_spine = 1
), cumulative_revenue_3m AS (
  /* Cumulative order_total: result */
  SELECT
    DATE_TRUNC('DAY', day) AS metric_time__day,
    value AS revenue_3m
  FROM (
    SELECT
      *
    FROM cumulative_revenue_3m_window
    WHERE
      rows_in_window > 0
      AND (
        day >= CAST('2024-03-05' AS DATE) AND day < CAST('2024-04-21' AS DATE)
      )
      AND DATE_TRUNC('DAY', day) BETWEEN '2024-03-05' AND '2024-04-20'
  ) AS k
)
SELECT
  metric_time__day,
  revenue_3m AS revenue_3m
FROM cumulative_revenue_3m
ORDER BY
  1
