WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
    AND ev.ordered_at >= CAST('2026-04-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), a2 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.email_events AS ev
  WHERE
    ev.event_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
    AND ev.kind = 'click'
    AND ev.event_at >= CAST('2026-04-01 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), a3 AS (
  SELECT
    ev.customer_id AS k,
    COUNT(*) AS v1
  FROM analytics.events AS ev
  WHERE
    ev.occurred_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
    AND ev.event_type = 'page_view'
    AND ev.occurred_at >= CAST('2026-05-31 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    e.customer_id AS k,
    CAST(RANK() OVER (
      ORDER BY (
        (
          3 * COALESCE(a1.v1, 0)
        ) + (
          2 * COALESCE(a2.v1, 0)
        )
      ) + COALESCE(a3.v1, 0) DESC
    ) AS BIGINT) AS r,
    COUNT(*) OVER () AS n
  FROM analytics.customers AS e
  LEFT JOIN a1
    ON a1.k = e.customer_id
  LEFT JOIN a2
    ON a2.k = e.customer_id
  LEFT JOIN a3
    ON a3.k = e.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN r1
  ON r1.k = e.customer_id
WHERE
  (
    r1.r - 1
  ) * 100 <= 15 * (
    r1.n - 1
  )
