WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  (
    e.signup_at >= CAST('2026-04-01 00:00:00' AS TIMESTAMP)
    AND e.signup_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
  )
  AND COALESCE(a1.v1, 0) = 0
