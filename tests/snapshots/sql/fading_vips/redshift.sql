WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1,
    MAX(ev.ordered_at) AS v2
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    e.customer_id AS k,
    CAST(RANK() OVER (ORDER BY COALESCE(a1.v1, 0) DESC NULLS LAST) AS BIGINT) AS r,
    COUNT(*) OVER () AS n
  FROM analytics.customers AS e
  LEFT JOIN a1
    ON a1.k = e.customer_id
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
  )
  AND a1.v2 < CAST('2026-04-01 00:00:00' AS TIMESTAMP)
