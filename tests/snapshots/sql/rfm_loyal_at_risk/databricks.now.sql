WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.ordered_at >= (
          CAST(CURRENT_TIMESTAMP() AS TIMESTAMP) - INTERVAL '12' MONTH
        )
        THEN 1
      END
    ) AS v1,
    MAX(ev.ordered_at) AS v2
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP() AS TIMESTAMP)
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
      a1.v2 < (
        CAST(CURRENT_TIMESTAMP() AS TIMESTAMP) - INTERVAL '45' DAY
      )
      OR a1.v2 > CAST(CURRENT_TIMESTAMP() AS TIMESTAMP)
    )
    OR a1.v2 IS NULL
  )
