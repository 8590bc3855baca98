WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.events ev
  WHERE
    ev.occurred_at <= TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
    AND ev.event_type = 'page_view'
    AND (
      ev.page LIKE '/product/%' ESCAPE '\'
    )
    AND ev.occurred_at >= TO_TIMESTAMP('2026-06-16 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= 3
