SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  e.birth_date >= TO_DATE('1981-01-01', 'YYYY-MM-DD')
  AND e.birth_date <= TO_DATE('1996-12-31', 'YYYY-MM-DD')
