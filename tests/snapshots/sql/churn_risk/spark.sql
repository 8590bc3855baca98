WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.ordered_at >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
        AND ev.ordered_at < CAST('2026-01-01 00:00:00' AS TIMESTAMP)
        THEN 1
      END
    ) AS v1,
    COUNT(
      CASE
        WHEN ev.ordered_at >= (
          CAST('2026-06-30 00:00:00' AS TIMESTAMP) - INTERVAL '3' MONTH
        )
        THEN 1
      END
    ) AS v2
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
    AND ev.ordered_at >= CAST('2025-07-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= 2 AND COALESCE(a1.v2, 0) = 0
