"""Amazon SNS: topics, subscriptions, and fan-out into SQS queues."""
