WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.ordered_at >= DATE_ADD('MONTH', -12, CAST('2026-06-30 00:00:00' AS TIMESTAMP))
        THEN 1
      END
    ) AS v1,
    MAX(ev.ordered_at) AS v2
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
  COALESCE(a1.v1, 0) >= 5
  AND (
    (
      a1.v2 < CAST('2026-05-16 00:00:00' AS TIMESTAMP)
      OR a1.v2 > CAST('2026-06-30 00:00:00' AS TIMESTAMP)
    )
    OR a1.v2 IS NULL
  )
