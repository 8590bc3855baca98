SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.event_at >= (
          CAST('2026-06-30 00:00:00' AS TIMESTAMP) - INTERVAL '3' MONTH
        )
        AND ev.event_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
        THEN 1
      END
    ) AS v1
  FROM analytics.email_events AS ev
  WHERE
    ev.event_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP) AND ev.kind = 'open'
  GROUP BY
    ev.customer_id
) AS a1
  ON a1.k = e.customer_id
WHERE
  e.is_subscribed AND COALESCE(a1.v1, 0) = 0
