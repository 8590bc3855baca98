SELECT
  e.customer_id
FROM analytics.customers e
LEFT JOIN (
  SELECT
    k
  FROM (
    SELECT
      e.customer_id AS k,
      RANK() OVER (ORDER BY COALESCE(a1.v1, 0) DESC NULLS LAST) AS r,
      COUNT(*) OVER () AS n
    FROM analytics.customers e
    LEFT JOIN (
      SELECT
        ev.customer_id AS k,
        SUM(
          CASE
            WHEN ev.ordered_at >= (
              TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS') - NUMTODSINTERVAL(365, 'DAY')
            )
            AND ev.ordered_at <= TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
            THEN ev.amount
          END
        ) AS v1
      FROM analytics.orders ev
      WHERE
        ev.ordered_at <= TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
      GROUP BY
        ev.customer_id
    ) a1
      ON a1.k = e.customer_id
  ) ranked
  WHERE
    (
      r - 1
    ) * 100 <= 10 * (
      n - 1
    )
) p1
  ON p1.k = e.customer_id
WHERE
  NOT p1.k IS NULL
