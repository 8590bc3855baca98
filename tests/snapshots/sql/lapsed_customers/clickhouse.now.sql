WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    toNullable(MAX(ev.ordered_at)) AS v1
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP() AS Nullable(DateTime64))
  GROUP BY
    ev.customer_id
)
SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  a1.v1 < DATE_ADD(DAY, -180, CAST(CURRENT_TIMESTAMP() AS Nullable(DateTime64)))
