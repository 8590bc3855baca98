SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  SUBSTRING(LOWER(e.email), -10, 10) = '@gmail.com'
