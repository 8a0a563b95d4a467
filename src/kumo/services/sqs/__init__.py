"""Amazon SQS: standard and FIFO queues, messages, visibility, long polling, redrive."""
