SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  NOT e.email IS NULL
  AND (
    NOT (
      REGEXP_CONTAINS(LOWER(e.email), '@(gmail|yahoo|hotmail|outlook|icloud)[.]com$')
    )
    OR LOWER(e.email) IS NULL
  )
