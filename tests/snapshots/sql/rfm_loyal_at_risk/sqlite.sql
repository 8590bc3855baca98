WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.ordered_at >= CASE
          WHEN STRFTIME('%d', DATETIME('2026-06-30 00:00:00')) <> STRFTIME('%d', DATETIME(DATETIME('2026-06-30 00:00:00'), '-12 months'))
          THEN DATETIME(
            DATETIME(DATETIME('2026-06-30 00:00:00'), '-12 months'),
            'start of month',
            '-1 day',
            '+' || TIME(DATETIME('2026-06-30 00:00:00'))
          )
          ELSE DATETIME(DATETIME('2026-06-30 00:00:00'), '-12 months')
        END
        THEN 1
      END
    ) AS v1,
    MAX(ev.ordered_at) AS v2
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= DATETIME('2026-06-30 00:00:00')
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
  AND (
    (
      a1.v2 < DATETIME('2026-05-16 00:00:00')
      OR a1.v2 > DATETIME('2026-06-30 00:00:00')
    )
    OR a1.v2 IS NULL
  )
