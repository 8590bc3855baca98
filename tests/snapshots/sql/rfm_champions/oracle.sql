WITH a1 AS (
  SELECT
    ev.customer_id AS k,
    MAX(ev.ordered_at) AS v1,
    COUNT(CASE WHEN ev.f1 = 1 THEN 1 END) AS v2,
    SUM(CASE WHEN ev.f1 = 1 THEN ev.amount END) AS v3
  FROM (
    SELECT
      ev.customer_id,
      ev.ordered_at,
      ev.amount,
      CASE
        WHEN ev.ordered_at >= ADD_MONTHS(TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS'), -12)
        THEN 1
        ELSE 0
      END AS f1
    FROM analytics.orders ev
    WHERE
      ev.ordered_at <= TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
  ) ev
  GROUP BY
    ev.customer_id
), r1 AS (
  SELECT
    e.customer_id AS k,
    RANK() OVER (ORDER BY COALESCE(a1.v3, 0) DESC NULLS LAST) AS r,
    COUNT(*) OVER () AS n
  FROM analytics.customers e
  LEFT JOIN a1
    ON a1.k = e.customer_id
)
SELECT
  e.customer_id
FROM analytics.customers e
LEFT JOIN a1
  ON a1.k = e.customer_id
LEFT JOIN r1
  ON r1.k = e.customer_id
WHERE
  (
    a1.v1 >= TO_TIMESTAMP('2026-05-16 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
    AND a1.v1 <= TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
  )
  AND COALESCE(a1.v2, 0) >= 5
  AND (
    r1.r - 1
  ) * 100 <= 25 * (
    r1.n - 1
  )
