WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    SUM(ev.amount) AS v1,
    COUNT(*) AS v2,
    COUNT(
      CASE
        WHEN ev.ordered_at >= (
          CAST('2026-06-30 00:00:00' AS TIMESTAMP) + INTERVAL (-12) MONTH
        )
        THEN 1
      END
    ) AS v3
  FROM analytics.orders AS ev
  WHERE
    ev.ordered_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
  GROUP BY
    ev.customer_id
), p1 AS (
  SELECT
    k
  FROM (
    SELECT
      e.customer_id AS k,
      RANK() OVER (ORDER BY CAST(COALESCE(a1.v1, 0) AS DOUBLE) / NULLIF(COALESCE(a1.v2, 0), 0) ASC) AS r,
      COUNT(*) OVER () AS n
    FROM analytics.customers AS e
    LEFT JOIN a1
      ON a1.k = e.customer_id
    WHERE
      NOT (
        CAST(COALESCE(a1.v1, 0) AS DOUBLE) / NULLIF(COALESCE(a1.v2, 0), 0)
      ) IS NULL
  ) AS ranked
  WHERE
    (
      r - 1
    ) * 100 <= 20 * (
      n - 1
    )
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN p1
  ON p1.k = e.customer_id
LEFT JOIN a1
  ON a1.k = e.customer_id
WHERE
  NOT p1.k IS NULL AND COALESCE(a1.v3, 0) >= 2
