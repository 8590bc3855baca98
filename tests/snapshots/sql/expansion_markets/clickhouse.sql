SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  NOT (
    e.country IS NULL
  ) AND NOT (
    e.country IN ('US', 'GB', 'DE', 'FR')
  )
