"""AWS Lambda: functions, versions, aliases, layers, invocation and the async queue."""
