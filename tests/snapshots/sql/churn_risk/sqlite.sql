WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.ordered_at >= DATETIME('2025-07-01 00:00:00')
        AND ev.ordered_at < DATETIME('2026-01-01 00:00:00')
        THEN 1
      END
    ) AS v1,
    COUNT(
      CASE
        WHEN ev.ordered_at >= CASE
          WHEN STRFTIME('%d', DATETIME('2026-06-30 00:00:00')) <> STRFTIME('%d', DATETIME(DATETIME('2026-06-30 00:00:00'), '-3 months'))
          THEN DATETIME(
            DATETIME(DATETIME('2026-06-30 00:00:00'), '-3 months'),
            'start of month',
            '-1 day',
            '+' || TIME(DATETIME('2026-06-30 00:00:00'))
          )
          ELSE DATETIME(DATETIME('2026-06-30 00:00:00'), '-3 months')
        END
        THEN 1
      END
    ) AS v2
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= DATETIME('2026-06-30 00:00:00')
    AND ev.ordered_at >= DATETIME('2025-07-01 00:00:00')
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= 2 AND COALESCE(a1.v2, 0) = 0
