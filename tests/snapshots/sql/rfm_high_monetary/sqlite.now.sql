WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1
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
), r1 AS (
  SELECT
    e.customer_id AS k,
    RANK() OVER (ORDER BY COALESCE(a1.v1, 0) DESC) AS r,
    COUNT(*) OVER () AS n
  FROM analytics.customers AS e
  LEFT JOIN a1
    ON a1.k = e.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN r1
  ON r1.k = e.customer_id
WHERE
  (
    r1.r - 1
  ) * 100 <= 25 * (
    r1.n - 1
  )
