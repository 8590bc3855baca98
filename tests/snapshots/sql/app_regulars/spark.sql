SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN (
  SELECT
    ev.customer_id AS k,
    COUNT(
      CASE
        WHEN ev.channel = 'app'
        AND ev.ordered_at >= (
          CAST('2026-06-30 00:00:00' AS TIMESTAMP) - INTERVAL '6' MONTH
        )
        AND ev.ordered_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
        THEN 1
      END
    ) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
) AS a1
  ON a1.k = e.customer_id
WHERE
  COALESCE(a1.v1, 0) >= 2
