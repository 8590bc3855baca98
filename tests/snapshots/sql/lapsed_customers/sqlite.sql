WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    MAX(ev.ordered_at) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= DATETIME('2026-06-30 00:00:00')
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 < DATETIME('2026-01-01 00:00:00')
