WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    MAX(ev.ordered_at) AS v1,
    COUNT(
      CASE
        WHEN ev.ordered_at >= DATE_ADD('MONTH', -12, CAST(CURRENT_TIMESTAMP AS TIMESTAMP))
        THEN 1
      END
    ) AS v2,
    COUNT(
      CASE
        WHEN ev.ordered_at >= DATE_ADD('DAY', -90, CAST(CURRENT_TIMESTAMP AS TIMESTAMP))
        THEN 1
      END
    ) AS v3
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), a2 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.email_events AS ev
  WHERE
    ev.event_at <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
    AND ev.kind = 'click'
    AND ev.event_at >= DATE_ADD('DAY', -90, CAST(CURRENT_TIMESTAMP AS TIMESTAMP))
  GROUP BY
    ev.customer_id
), a3 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.events AS ev
  WHERE
    ev.occurred_at <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
    AND ev.event_type = 'page_view'
    AND ev.occurred_at >= DATE_ADD('DAY', -30, CAST(CURRENT_TIMESTAMP AS TIMESTAMP))
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
LEFT JOIN a2
  ON a2.k = e.customer_id
LEFT JOIN a3
  ON a3.k = e.customer_id
WHERE
  (
    a1.v1 >= DATE_ADD('DAY', -45, CAST(CURRENT_TIMESTAMP AS TIMESTAMP))
    AND a1.v1 <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
  )
  AND COALESCE(a1.v2, 0) <= 2
  AND (
    (
      (
        3 * COALESCE(a1.v3, 0)
      ) + (
        2 * COALESCE(a2.v1, 0)
      )
    ) + COALESCE(a3.v1, 0)
  ) >= 8
