SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  e.birth_date >= CAST('1981-01-01' AS Nullable(Date32))
  AND e.birth_date <= CAST('1996-12-31' AS Nullable(Date32))
