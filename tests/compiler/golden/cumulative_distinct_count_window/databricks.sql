WITH cumulative_visitors_7d_seen AS (
  /* Cumulative visitor_count: seen */
  SELECT
    *,
    DENSE_RANK() OVER (ORDER BY 1 NULLS LAST) AS gid
  FROM (
    SELECT DISTINCT
      CAST(t0.visited_at AS DATE) AS day,
      t0.customer_id AS val
    FROM main.visits AS t0
  ) AS r
), cumulative_visitors_7d_daily AS (
  /* Cumulative visitor_count: daily */
  SELECT
    gid,
    day,
    SUM(dv) AS v,
    SUM(dn) AS n
  FROM (
    SELECT
      gid,
      day,
      1 AS dv,
      0 AS dn
    FROM (
      SELECT
        gid,
        day,
        LEAD(day) OVER (PARTITION BY gid, val ORDER BY day NULLS LAST) AS next_day
      FROM (
        SELECT DISTINCT
          gid,
          day,
          val
        FROM cumulative_visitors_7d_seen
        WHERE
          NOT val IS NULL
      ) AS b
    ) AS e
    UNION ALL
    SELECT
      gid,
      LEAST(
        CAST(day + INTERVAL '7' DAY AS DATE),
        COALESCE(next_day, CAST(day + INTERVAL '7' DAY AS DATE))
      ) AS day,
      -1 AS dv,
      0 AS dn
    FROM (
      SELECT
        gid,
        day,
        LEAD(day) OVER (PARTITION BY gid, val ORDER BY day NULLS LAST) AS next_day
      FROM (
        SELECT DISTINCT
          gid,
          day,
          val
        FROM cumulative_visitors_7d_seen
        WHERE
          NOT val IS NULL
      ) AS b
    ) AS e
    UNION ALL
    SELECT
      gid,
      day,
      0 AS dv,
      1 AS dn
    FROM (
      SELECT
        gid,
        day,
        LEAD(day) OVER (PARTITION BY gid ORDER BY day NULLS LAST) AS next_day
      FROM (
        SELECT DISTINCT
          gid,
          day
        FROM cumulative_visitors_7d_seen
      ) AS b
    ) AS e
    UNION ALL
    SELECT
      gid,
      LEAST(
        CAST(day + INTERVAL '7' DAY AS DATE),
        COALESCE(next_day, CAST(day + INTERVAL '7' DAY AS DATE))
      ) AS day,
      0 AS dv,
      -1 AS dn
    FROM (
      SELECT
        gid,
        day,
        LEAD(day) OVER (PARTITION BY gid ORDER BY day NULLS LAST) AS next_day
      FROM (
        SELECT DISTINCT
          gid,
          day
        FROM cumulative_visitors_7d_seen
      ) AS b
    ) AS e
  ) AS u
  GROUP BY
    gid,
    day
), cumulative_visitors_7d_grid AS (
  /* Cumulative visitor_count: grid */
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
      FROM cumulative_visitors_7d_daily
      GROUP BY
        gid
    ) AS b
      ON spine.date_day >= b.first_day AND spine.date_day < b.last_day + INTERVAL '7' DAY
    UNION ALL
    SELECT
      gid,
      day,
      0 AS in_spine
    FROM cumulative_visitors_7d_daily
  ) AS g
  GROUP BY
    gid,
    day
), cumulative_visitors_7d_series AS (
  /* Cumulative visitor_count: series */
  SELECT
    g.gid,
    g.day,
    g.in_spine,
    SUM(COALESCE(d.v, 0)) OVER (
      PARTITION BY g.gid
      ORDER BY g.day NULLS LAST
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS p_v,
    SUM(COALESCE(d.n, 0)) OVER (
      PARTITION BY g.gid
      ORDER BY g.day NULLS LAST
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS p_n
  FROM cumulative_visitors_7d_grid AS g
  LEFT JOIN cumulative_visitors_7d_daily AS d
    ON d.gid = g.gid AND d.day = g.day
), cumulative_visitors_7d_window AS (
  /* Cumulative visitor_count: window */
  SELECT
    s.gid,
    s.day,
    s.p_v AS value,
    s.p_n AS rows_in_window
  FROM cumulative_visitors_7d_series AS s
  WHERE
    s.in_spine = 1
), cumulative_visitors_7d AS (
  /* Cumulative visitor_count: result */
  SELECT
    CAST(day AS DATE) AS metric_time__day,
    value AS visitors_7d
  FROM (
    SELECT
      *
    FROM cumulative_visitors_7d_window
    WHERE
      rows_in_window > 0
  ) AS k
)
SELECT
  metric_time__day,
  visitors_7d AS visitors_7d
FROM cumulative_visitors_7d
ORDER BY
  1
