WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP() AS Nullable(DateTime64))
    AND ev.ordered_at >= DATE_ADD(MONTH, -12, CAST(CURRENT_TIMESTAMP() AS Nullable(DateTime64)))
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    toNullable(e.customer_id) AS k,
    toNullable(RANK() OVER (ORDER BY COALESCE(a1.v1, 0) DESC)) AS r,
    COUNT(*) OVER () AS n
  FROM analytics.customers AS e
  LEFT JOIN a1
    ON a1.k = e.customer_id
)
SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
LEFT JOIN r1
  ON r1.k = e.customer_id
WHERE
  (
    r1.r - 1
  ) * 100 <= 25 * (
    r1.n - 1
  )
