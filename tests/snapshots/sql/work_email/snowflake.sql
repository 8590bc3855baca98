SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  NOT e.email IS NULL
  AND (
    NOT (
      REGEXP_INSTR(LOWER(e.email), '@(gmail|yahoo|hotmail|outlook|icloud)[.]com$') > 0
    )
    OR LOWER(e.email) IS NULL
  )
