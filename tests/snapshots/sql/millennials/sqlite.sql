SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.birth_date >= DATE('1981-01-01') AND e.birth_date <= DATE('1996-12-31')
