SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= DATE_ADD(DAY, -30, CAST(CURRENT_TIMESTAMP() AS Nullable(DateTime64)))
  AND e.signup_at <= CAST(CURRENT_TIMESTAMP() AS Nullable(DateTime64))
