SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.event_at >= CASE
          WHEN STRFTIME('%d', DATETIME('2026-06-30 00:00:00')) <> STRFTIME('%d', DATETIME(DATETIME('2026-06-30 00:00:00'), '-3 months'))
          THEN DATETIME(
            DATETIME(DATETIME('2026-06-30 00:00:00'), '-3 months'),
            'start of month',
            '-1 day',
            '+' || TIME(DATETIME('2026-06-30 00:00:00'))
          )
          ELSE DATETIME(DATETIME('2026-06-30 00:00:00'), '-3 months')
        END
        AND ev.event_at <= DATETIME('2026-06-30 00:00:00')
        THEN 1
      END
    ) AS v1
  FROM analytics.email_events AS ev
  WHERE
    ev.event_at <= DATETIME('2026-06-30 00:00:00') AND ev.kind = 'open'
  GROUP BY
    ev.customer_id
) AS a1
  ON a1.k = e.customer_id
WHERE
  e.is_subscribed AND COALESCE(a1.v1, 0) = 0
