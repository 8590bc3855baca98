WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP() AS DATETIME)
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
    e.signup_at >= DATE_ADD(CAST(CURRENT_TIMESTAMP() AS DATETIME), INTERVAL -90 DAY)
    AND e.signup_at <= CAST(CURRENT_TIMESTAMP() AS DATETIME)
  )
  AND COALESCE(a1.v1, 0) = 0
