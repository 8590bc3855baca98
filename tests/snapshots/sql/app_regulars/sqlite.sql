WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= DATETIME('2026-06-30 00:00:00')
    AND (
      ev.channel = 'app'
    )
    AND ev.ordered_at >= CASE
      WHEN STRFTIME('%d', DATETIME('2026-06-30 00:00:00')) <> STRFTIME('%d', DATETIME(DATETIME('2026-06-30 00:00:00'), '-6 months'))
      THEN DATETIME(
        DATETIME(DATETIME('2026-06-30 00:00:00'), '-6 months'),
        'start of month',
        '-1 day',
        '+' || TIME(DATETIME('2026-06-30 00:00:00'))
      )
      ELSE DATETIME(DATETIME('2026-06-30 00:00:00'), '-6 months')
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
  a1.v1 >= 2
