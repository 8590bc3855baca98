WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1,
    COUNT(*) AS v2
  FROM analytics.orders ev
  WHERE
    ev.ordered_at <= TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  (
    TO_BINARY_DOUBLE(COALESCE(a1.v1, 0)) / NULLIF(COALESCE(a1.v2, 0), 0)
  ) >= 150
  AND a1.v2 >= 2
