WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.events AS ev
  WHERE
    ev.occurred_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
    AND ev.event_type = 'page_view'
    AND ev.occurred_at >= CAST('2026-06-28 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 > 0
