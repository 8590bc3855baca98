SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  e.signup_at < TO_TIMESTAMP('2025-01-01 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
