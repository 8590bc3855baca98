WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
    AND (
      ev.channel = 'app'
    )
    AND ev.ordered_at >= ADD_MONTHS(CAST(CURRENT_TIMESTAMP AS TIMESTAMP), -6)
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= 2
