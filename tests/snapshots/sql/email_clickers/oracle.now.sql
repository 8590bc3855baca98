WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.email_events ev
  WHERE
    ev.event_at <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
    AND ev.kind = 'click'
    AND ev.event_at >= (
      CAST(CURRENT_TIMESTAMP AS TIMESTAMP) - NUMTODSINTERVAL(28, 'DAY')
    )
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 > 0
