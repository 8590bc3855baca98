WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.ordered_at >= CAST('2025-07-01 00:00:00' AS Nullable(DateTime64))
        AND ev.ordered_at < CAST('2026-01-01 00:00:00' AS Nullable(DateTime64))
        THEN 1
      END
    ) AS v1,
    COUNT(
      CASE
        WHEN ev.ordered_at >= DATE_ADD(MONTH, -3, CAST('2026-06-30 00:00:00' AS Nullable(DateTime64)))
        THEN 1
      END
    ) AS v2
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST('2026-06-30 00:00:00' AS Nullable(DateTime64))
    AND ev.ordered_at >= CAST('2025-07-01 00:00:00' AS Nullable(DateTime64))
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= 2 AND COALESCE(a1.v2, 0) = 0
