SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= (
    CAST(CURRENT_TIMESTAMP() AS TIMESTAMP) - INTERVAL '30' DAY
  )
  AND e.signup_at <= CAST(CURRENT_TIMESTAMP() AS TIMESTAMP)
