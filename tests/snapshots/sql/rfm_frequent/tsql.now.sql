WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(GETDATE() AS DATETIME2)
    AND ev.ordered_at >= DATEADD(MONTH, -12, CAST(GETDATE() AS DATETIME2))
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  COALESCE(a1.v1, 0) >= 5
