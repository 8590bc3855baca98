SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  NOT (
    e.email IS NULL
  )
  AND (
    NOT (
      match(lowerUTF8(e.email), '@(gmail|yahoo|hotmail|outlook|icloud)[.]com$')
    )
    OR lowerUTF8(e.email) IS NULL
  )
