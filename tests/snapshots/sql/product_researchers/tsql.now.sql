WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.events AS ev
  WHERE
    ev.occurred_at <= CAST(GETDATE() AS DATETIME2)
    AND ev.event_type = 'page_view'
    AND (
      ev.page LIKE '/product/%' ESCAPE '\'
    )
    AND ev.occurred_at >= DATEADD(DAY, -14, CAST(GETDATE() AS DATETIME2))
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 >= 3
