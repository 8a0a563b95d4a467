"""Amazon DynamoDB: tables, items, expressions, queries, transactions and streams."""
