WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.email_events AS ev
  WHERE
    ev.event_at <= CAST(CURRENT_TIMESTAMP() AS DATETIME)
    AND ev.kind = 'open'
    AND ev.event_at >= DATETIME_SUB(CAST(CURRENT_TIMESTAMP() AS DATETIME), INTERVAL 3 MONTH)
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  e.is_subscribed AND COALESCE(a1.v1, 0) = 0
