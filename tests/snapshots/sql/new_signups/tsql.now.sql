SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= DATEADD(DAY, -30, CAST(GETDATE() AS DATETIME2))
  AND e.signup_at <= CAST(GETDATE() AS DATETIME2)
