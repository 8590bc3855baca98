SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  e.signup_at >= TO_TIMESTAMP('2026-05-31 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
  AND e.signup_at <= TO_TIMESTAMP('2026-06-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS')
