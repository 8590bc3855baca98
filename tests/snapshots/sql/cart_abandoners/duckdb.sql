WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.events AS ev
  WHERE
    ev.occurred_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
    AND ev.event_type = 'add_to_cart'
    AND ev.occurred_at >= CAST('2026-06-23 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), a2 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
    AND ev.ordered_at >= CAST('2026-06-23 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
LEFT JOIN a2
  ON a2.k = e.customer_id
WHERE
  a1.v1 > 0 AND COALESCE(a2.v1, 0) = 0
