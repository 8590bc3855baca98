SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  e.signup_at >= (
    CAST(CURRENT_TIMESTAMP AS TIMESTAMP) - NUMTODSINTERVAL(30, 'DAY')
  )
  AND e.signup_at <= CAST(CURRENT_TIMESTAMP AS TIMESTAMP)
