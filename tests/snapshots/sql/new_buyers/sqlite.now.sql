WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    MIN(ev.ordered_at) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= DATETIME('now')
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= CASE
    WHEN STRFTIME('%d', DATETIME('now')) <> STRFTIME('%d', DATETIME(DATETIME('now'), '-3 months'))
    THEN DATETIME(
      DATETIME(DATETIME('now'), '-3 months'),
      'start of month',
      '-1 day',
      '+' || TIME(DATETIME('now'))
    )
    ELSE DATETIME(DATETIME('now'), '-3 months')
  END
  AND a1.v1 <= DATETIME('now')
