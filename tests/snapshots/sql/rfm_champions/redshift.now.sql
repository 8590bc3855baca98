WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    MAX(ev.ordered_at) AS v1,
    COUNT(CASE WHEN ev.f1 THEN 1 END) AS v2,
    SUM(CASE WHEN ev.f1 THEN ev.amount END) AS v3
  FROM (
    SELECT
      ev.customer_id,
      ev.ordered_at,
      ev.amount,
      ev.ordered_at >= DATEADD(MONTH, -12, CAST(GETDATE() AS TIMESTAMP)) AS f1
    FROM analytics.orders AS ev
    WHERE
      ev.ordered_at <= CAST(GETDATE() AS TIMESTAMP)
  ) AS ev
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    e.customer_id AS k,
    CAST(RANK() OVER (ORDER BY COALESCE(a1.v3, 0) DESC NULLS LAST) AS BIGINT) AS r,
    COUNT(*) OVER () AS n
  FROM analytics.customers AS e
  LEFT JOIN a1
    ON a1.k = e.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers AS e
LEFT JOIN a1
  ON a1.k = e.customer_id
LEFT JOIN r1
  ON r1.k = e.customer_id
WHERE
  (
    a1.v1 >= DATEADD(DAY, -45, CAST(GETDATE() AS TIMESTAMP))
    AND a1.v1 <= CAST(GETDATE() AS TIMESTAMP)
  )
  AND COALESCE(a1.v2, 0) >= 5
  AND (
    r1.r - 1
  ) * 100 <= 25 * (
    r1.n - 1
  )
