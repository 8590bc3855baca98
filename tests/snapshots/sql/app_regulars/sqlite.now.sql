WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= DATETIME('now')
    AND (
      ev.channel = 'app'
    )
    AND ev.ordered_at >= CASE
      WHEN STRFTIME('%d', DATETIME('now')) <> STRFTIME('%d', DATETIME(DATETIME('now'), '-6 months'))
      THEN DATETIME(
        DATETIME(DATETIME('now'), '-6 months'),
        'start of month',
        '-1 day',
        '+' || TIME(DATETIME('now'))
      )
      ELSE DATETIME(DATETIME('now'), '-6 months')
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
