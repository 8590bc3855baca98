SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= DATEADD(DAY, -30, CAST(CURRENT_TIMESTAMP() AS TIMESTAMP))
  AND e.signup_at <= CAST(CURRENT_TIMESTAMP() AS TIMESTAMP)
