WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP() AS DATETIME)
    AND (
      ev.channel = 'app'
    )
    AND ev.ordered_at >= DATE_ADD(CAST(CURRENT_TIMESTAMP() AS DATETIME), INTERVAL -6 MONTH)
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= 2
