WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.email_events AS ev
  WHERE
    ev.event_at <= DATETIME('now')
    AND ev.kind = 'open'
    AND ev.event_at >= CASE
      WHEN STRFTIME('%d', DATETIME('now')) <> STRFTIME('%d', DATETIME(DATETIME('now'), '-3 months'))
      THEN DATETIME(
        DATETIME(DATETIME('now'), '-3 months'),
        'start of month',
        '-1 day',
        '+' || TIME(DATETIME('now'))
      )
      ELSE DATETIME(DATETIME('now'), '-3 months')
    END
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
