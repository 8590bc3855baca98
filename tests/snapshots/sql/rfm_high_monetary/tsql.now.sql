WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(GETDATE() AS DATETIME2)
    AND ev.ordered_at >= DATEADD(MONTH, -12, CAST(GETDATE() AS DATETIME2))
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    e.customer_id AS k,
    RANK() OVER (ORDER BY COALESCE(a1.v1, 0) DESC) AS r,
    CAST(COUNT(*) OVER () AS BIGINT) AS n
  FROM analytics.customers AS e
  LEFT JOIN a1
    ON a1.k = e.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN r1
  ON r1.k = e.customer_id
WHERE
  (
    r1.r - 1
  ) * 100 <= 25 * (
    r1.n - 1
  )
