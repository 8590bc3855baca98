SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  e.signup_at >= DATE_ADD(CAST('2026-06-30 00:00:00' AS TIMESTAMP), -30, 'DAY')
  AND e.signup_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
