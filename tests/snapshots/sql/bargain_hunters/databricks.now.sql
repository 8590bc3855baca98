WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1,
    COUNT(*) AS v2,
    COUNT(
      CASE
        WHEN ev.ordered_at >= (
          CAST(CURRENT_TIMESTAMP() AS TIMESTAMP) - INTERVAL '12' MONTH
        )
        THEN 1
      END
    ) AS v3
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP() AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    e.customer_id AS k,
    CAST(RANK() OVER (
      ORDER BY CAST(COALESCE(a1.v1, 0) AS DOUBLE) / NULLIF(COALESCE(a1.v2, 0), 0) ASC NULLS LAST
    ) AS BIGINT) AS r,
    COUNT(*) OVER () AS n
  FROM analytics.customers AS e
  LEFT JOIN a1
    ON a1.k = e.customer_id
  WHERE
    NOT (
      CAST(COALESCE(a1.v1, 0) AS DOUBLE) / NULLIF(COALESCE(a1.v2, 0), 0)
    ) IS NULL
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN r1
  ON r1.k = e.customer_id
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  (
    r1.r - 1
  ) * 100 <= 20 * (
    r1.n - 1
  ) AND COALESCE(a1.v3, 0) >= 2
