WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= DATETIME('now')
    AND ev.ordered_at >= CASE
      WHEN STRFTIME('%d', DATETIME('now')) <> STRFTIME('%d', DATETIME(DATETIME('now'), '-12 months'))
      THEN DATETIME(
        DATETIME(DATETIME('now'), '-12 months'),
        'start of month',
        '-1 day',
        '+' || TIME(DATETIME('now'))
      )
      ELSE DATETIME(DATETIME('now'), '-12 months')
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
  COALESCE(a1.v1, 0) >= 5
