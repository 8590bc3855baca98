WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    MIN(ev.ordered_at) AS v1
  FROM analytics.orders ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= ADD_MONTHS(CAST(CURRENT_TIMESTAMP AS TIMESTAMP), -3)
  AND a1.v1 <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
