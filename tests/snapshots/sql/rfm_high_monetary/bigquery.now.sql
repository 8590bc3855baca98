WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP() AS DATETIME)
    AND ev.ordered_at >= DATETIME_SUB(CAST(CURRENT_TIMESTAMP() AS DATETIME), INTERVAL 12 MONTH)
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    e.customer_id AS k,
    RANK() OVER (ORDER BY COALESCE(a1.v1, 0) DESC) AS r,
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
WHERE
  (
    r1.r - 1
  ) * 100 <= 25 * (
    r1.n - 1
  )
