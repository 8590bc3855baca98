WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1,
    COUNT(*) AS v2,
    COUNT(
      CASE
        WHEN ev.ordered_at >= ADD_MONTHS(CAST(CURRENT_TIMESTAMP AS TIMESTAMP), -12)
        THEN 1
      END
    ) AS v3
  FROM analytics.orders ev
  WHERE
    ev.ordered_at <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    e.customer_id AS k,
    RANK() OVER (
      ORDER BY TO_BINARY_DOUBLE(COALESCE(a1.v1, 0)) / NULLIF(COALESCE(a1.v2, 0), 0) ASC
    ) AS r,
    COUNT(*) OVER () AS n
  FROM analytics.customers e
  LEFT JOIN a1
    ON a1.k = e.customer_id
  WHERE
    NOT (
      TO_BINARY_DOUBLE(COALESCE(a1.v1, 0)) / NULLIF(COALESCE(a1.v2, 0), 0)
    ) IS NULL
)
SELECT
  e.customer_id
FROM analytics.customers e
LEFT JOIN r1
  ON r1.k = e.customer_id
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  (
    r1.r - 1
  ) * 100 <= 20 * (
    r1.n - 1
  ) AND COALESCE(a1.v3, 0) >= 2
