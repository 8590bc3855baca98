SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.occurred_at >= DATETIME(DATETIME('2026-06-30 00:00:00'), '-30 days')
        AND ev.occurred_at <= DATETIME('2026-06-30 00:00:00')
        THEN 1
      END
    ) AS v1
  FROM analytics.events AS ev
  WHERE
    ev.occurred_at <= DATETIME('2026-06-30 00:00:00') AND ev.event_type = 'page_view'
  GROUP BY
    ev.customer_id
) AS a1
  ON a1.k = e.customer_id
LEFT JOIN (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.ordered_at >= DATETIME(DATETIME('2026-06-30 00:00:00'), '-90 days')
        AND ev.ordered_at <= DATETIME('2026-06-30 00:00:00')
        THEN 1
      END
    ) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= DATETIME('2026-06-30 00:00:00')
  GROUP BY
    ev.customer_id
) AS a2
  ON a2.k = e.customer_id
WHERE
  COALESCE(a1.v1, 0) >= 5 AND COALESCE(a2.v1, 0) = 0
